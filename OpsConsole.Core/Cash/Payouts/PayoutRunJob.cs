using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsConsole.Core.Warehouse;

namespace OpsConsole.Core.Cash.Payouts;

/// <summary>
/// A BigQuery job of a payout run on the warehouse (<see cref="BigQueryPayoutEngine"/>): which pass and step (<c>lines</c>:
/// the lines' aggregate, <c>match</c>: the matching), the job id, the bytes the dry run estimated, processed and billed,
/// the rows returned and the link to the job in the Google Cloud console. Written with the rows the job returned.
/// </summary>
public sealed class PayoutRunJob
{
    private PayoutRunJob()
    {
        Step = JobId = ConsoleUrl = "";
    }

    public long Id { get; private set; }
    public long RunId { get; private set; }
    public int Pass { get; private set; }
    public string Step { get; private set; }
    public string JobId { get; private set; }
    public string? Location { get; private set; }
    public long EstimatedBytes { get; private set; }
    public long BytesProcessed { get; private set; }
    public long BytesBilled { get; private set; }
    public int Attempts { get; private set; }
    public int RowsReturned { get; private set; }
    public string ConsoleUrl { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }

    internal static PayoutRunJob For(long runId, string step, WarehouseJob job, int rows, DateTimeOffset at) => new()
    {
        RunId = runId, Pass = job.Pass, Step = step, JobId = job.JobId, Location = job.Location, EstimatedBytes = job.EstimatedBytes,
        BytesProcessed = job.BytesProcessed, BytesBilled = job.BytesBilled, Attempts = job.Attempts, RowsReturned = rows,
        ConsoleUrl = job.ConsoleUrl, RecordedAt = at,
    };
}

internal sealed class PayoutRunJobConfiguration : IEntityTypeConfiguration<PayoutRunJob>
{
    public void Configure(EntityTypeBuilder<PayoutRunJob> b)
    {
        b.ToTable("payout_run_jobs");
        b.HasKey(j => j.Id);
        b.Property(j => j.Step).HasMaxLength(16);
        b.Property(j => j.JobId).HasMaxLength(1024);
        b.Property(j => j.Location).HasMaxLength(64);
        b.Property(j => j.ConsoleUrl).HasMaxLength(2048);
        b.HasOne<PayoutRun>().WithMany().HasForeignKey(j => j.RunId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(j => new { j.RunId, j.Pass });
    }
}

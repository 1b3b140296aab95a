using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Warehouse;

/// <summary>
/// The BigQuery job of one pass of a run: job id, the bytes the dry run estimated, the bytes processed and
/// billed, and the link to the job in the Google Cloud console. Written beside the run, in the console's
/// database.
/// </summary>
public sealed class WarehouseJobRecord
{
    private WarehouseJobRecord()
    {
        Engine = JobId = ConsoleUrl = "";
    }

    public long Id { get; private set; }
    public long RunId { get; private set; }
    public int Pass { get; private set; }
    public string Engine { get; private set; }
    public string JobId { get; private set; }
    public string? Location { get; private set; }
    public long EstimatedBytes { get; private set; }
    public long BytesProcessed { get; private set; }
    public long BytesBilled { get; private set; }
    public int Attempts { get; private set; }
    public string ConsoleUrl { get; private set; }
    public int RowsReturned { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }

    public static WarehouseJobRecord For(long runId, WarehousePassResult result, DateTimeOffset at) => new()
    {
        RunId = runId,
        Pass = result.Pass,
        Engine = "bigquery",
        JobId = result.Job.JobId,
        Location = result.Job.Location,
        EstimatedBytes = result.Job.EstimatedBytes,
        BytesProcessed = result.Job.BytesProcessed,
        BytesBilled = result.Job.BytesBilled,
        Attempts = result.Job.Attempts,
        ConsoleUrl = result.Job.ConsoleUrl,
        RowsReturned = result.Items.Count,
        RecordedAt = at,
    };
}

internal sealed class WarehouseJobRecordConfiguration : IEntityTypeConfiguration<WarehouseJobRecord>
{
    public void Configure(EntityTypeBuilder<WarehouseJobRecord> b)
    {
        b.ToTable("recon_warehouse_jobs");
        b.HasKey(j => j.Id);
        b.Property(j => j.Engine).HasMaxLength(32);
        b.Property(j => j.JobId).HasMaxLength(1024);
        b.Property(j => j.Location).HasMaxLength(64);
        b.Property(j => j.ConsoleUrl).HasMaxLength(2048);
        b.HasOne<ReconRun>().WithMany().HasForeignKey(j => j.RunId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(j => new { j.RunId, j.Pass });
    }
}

namespace OpsConsole.Core.Repairs;

/// <summary>Settings <c>Repairs:*</c>.</summary>
public sealed class RepairOptions
{
    /// <summary>Refunds up to this amount (KRW) need no second person. 0: every money-moving repair needs one.</summary>
    public long SingleApproverMaxAmount { get; set; }

    /// <summary>A request not approved within this time expires.</summary>
    public TimeSpan ApprovalTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>An EXECUTING repair older than this is taken as interrupted by a crash and resumed.</summary>
    public TimeSpan ExecutionGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Items of a batch executed at once.</summary>
    public int BatchConcurrency { get; set; } = 4;
}

using OpsConsole.Core.Repairs;

namespace OpsConsole.Components.Pages.Repairs;

/// <summary>The chip colours of repair and batch states (rendering only; the rules are in Core/Repairs).</summary>
public static class RepairColors
{
    public static MudBlazor.Color StatusColor(RepairBatchStatus status) => status switch
    {
        RepairBatchStatus.DONE => MudBlazor.Color.Success,
        RepairBatchStatus.REJECTED => MudBlazor.Color.Error,
        RepairBatchStatus.APPROVED => MudBlazor.Color.Warning,
        RepairBatchStatus.EXPIRED => MudBlazor.Color.Default,
        _ => MudBlazor.Color.Info,
    };

    public static MudBlazor.Color ResultColor(RepairBatchItemResult result) => result switch
    {
        RepairBatchItemResult.SUCCEEDED => MudBlazor.Color.Success,
        RepairBatchItemResult.FAILED => MudBlazor.Color.Error,
        RepairBatchItemResult.UNKNOWN => MudBlazor.Color.Warning,
        RepairBatchItemResult.PENDING => MudBlazor.Color.Info,
        _ => MudBlazor.Color.Default,
    };

    public static MudBlazor.Color StatusColor(RepairStatus status) => status switch
    {
        RepairStatus.SUCCEEDED => MudBlazor.Color.Success,
        RepairStatus.FAILED or RepairStatus.REJECTED => MudBlazor.Color.Error,
        RepairStatus.UNKNOWN or RepairStatus.EXECUTING or RepairStatus.APPROVED => MudBlazor.Color.Warning,
        RepairStatus.REQUESTED => MudBlazor.Color.Info,
        _ => MudBlazor.Color.Default,
    };
}

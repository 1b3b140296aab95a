using MudBlazor;
using OpsConsole.Core.Cash.Payouts;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Components.Pages.Cash;

/// <summary>Green / amber / red of an expected payout on the Cash page and the dashboard card.</summary>
public static class CashStatus
{
    public static Color ColorOf(PayoutRunItem i) => i.FindingType switch
    {
        FindingType.PAYOUT_MISSING or FindingType.PAYOUT_AMOUNT_MISMATCH or FindingType.UNEXPECTED_DEPOSIT => Color.Error,
        FindingType.PAYOUT_LATE or FindingType.PAYOUT_DATE_OFF_CONTRACT => Color.Warning,
        _ => i.MatchKind is PayoutMatch.PENDING or PayoutMatch.OFFSET ? Color.Warning : Color.Success,
    };

    public static string LabelOf(PayoutRunItem i) => i.FindingType?.ToString() ?? i.MatchKind switch
    {
        PayoutMatch.EXACT => "received",
        PayoutMatch.COMBINED => "received (combined)",
        PayoutMatch.WINDOW => "received (within tolerance)",
        PayoutMatch.PENDING => "not due yet",
        PayoutMatch.OFFSET => "offset (nothing to pay)",
        _ => "",
    };
}

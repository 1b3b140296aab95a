namespace OpsConsole.Core.Payments;

public sealed class PaymentService
{
}

namespace OpsConsole.Api;

public static class PaymentsApi
{
    public static WebApplication MapPaymentsApi(this WebApplication app) => app;
}

namespace OpsConsole.Core.Outbox;

public sealed class OutboxDispatcher
{
    public const string HttpClientName = "outbox";
}

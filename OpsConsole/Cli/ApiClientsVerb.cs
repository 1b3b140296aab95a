using System.Text.Json;
using OpsConsole.Core.ApiClients;

namespace OpsConsole.Cli;

/// <summary>
/// <c>api-clients create|list|revoke</c>: the API clients that may call <c>/api/v1</c>. <c>create</c> prints the
/// key once; with <c>--json</c> stdout is exactly <c>{"name": …, "scopes": […], "key": "ocs_…"}</c>.
/// </summary>
public sealed class ApiClientsVerb : ICliVerb
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Name => "api-clients";
    public string Summary => "Create, list or revoke the API clients that may call /api/v1 (keys are shown once).";
    public string Usage => "create --name NAME --scopes payments:confirm,payments:cancel,payments:read [--json] | list [--json] | revoke --name NAME";
    public bool NeedsServer => false;

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var a = context.Arguments;
        var clients = context.Services.GetRequiredService<ApiClientService>();
        var actor = $"cli:{Environment.UserName}";
        var json = a.Has("json");
        switch (a.Positionals.FirstOrDefault())
        {
            case "create":
            {
                var created = await clients.CreateAsync(a.Require("name"), ApiClientService.ParseScopes(a.Require("scopes")),
                    actor, cancellationToken);
                if (json)
                {
                    context.Out.WriteLine(JsonSerializer.Serialize(new { name = created.Name, scopes = created.Scopes, key = created.Key }, Json));
                }
                else
                {
                    context.Out.WriteLine($"Created API client {created.Name} with scopes {string.Join(",", created.Scopes)}.");
                    context.Out.WriteLine($"Key (shown once, store it now): {created.Key}");
                }
                return 0;
            }
            case "list":
            {
                var list = await clients.ListAsync(cancellationToken);
                if (json)
                {
                    context.Out.WriteLine(JsonSerializer.Serialize(list.Select(c => new
                    {
                        name = c.Name, scopes = c.Scopes, keyHint = c.KeyHint, createdAt = c.CreatedAt, createdBy = c.CreatedBy,
                        lastUsedAt = c.LastUsedAt, revokedAt = c.RevokedAt, revoked = c.IsRevoked, demo = c.IsDemo,
                    }), Json));
                    return 0;
                }
                if (list.Count == 0)
                {
                    context.Out.WriteLine("No API clients.");
                    return 0;
                }
                context.Out.WriteLine($"{"NAME",-24} {"KEY",-10} {"STATUS",-8} {"LAST USED (UTC)",-20} SCOPES");
                foreach (var c in list)
                    context.Out.WriteLine($"{c.Name,-24} {c.KeyHint + "…",-10} {(c.IsRevoked ? "revoked" : "active"),-8} " +
                                          $"{c.LastUsedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss") ?? "never",-20} {string.Join(",", c.Scopes)}");
                return 0;
            }
            case "revoke":
            {
                var name = a.Require("name");
                var before = (await clients.ListAsync(cancellationToken)).FirstOrDefault(c => c.Name == name);
                var revoked = await clients.RevokeAsync(name, actor, cancellationToken);
                context.Out.WriteLine(before is { IsRevoked: true }
                    ? $"API client {revoked.Name} was already revoked at {revoked.RevokedAt:u}."
                    : $"Revoked API client {revoked.Name}; its key is refused from now on.");
                return 0;
            }
            default:
                throw new CliUsageException("say what to do: create, list or revoke.");
        }
    }
}

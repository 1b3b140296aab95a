using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpsConsole.Core.Gateway;

/// <summary>
/// Summaries of PG bodies for the payment timeline: the fields an engineer needs, nothing that identifies
/// a customer. Card numbers and contact data never leave this method.
/// </summary>
public static class Redaction
{
    private static readonly HashSet<string> Kept = new(StringComparer.OrdinalIgnoreCase)
    {
        "paymentKey", "orderId", "status", "totalAmount", "balanceAmount", "method", "approvedAt", "requestedAt",
        "lastTransactionKey", "code", "message", "transactionKey", "cancelAmount", "canceledAt", "cancelReason",
        "amount", "currency",
    };

    public static string Summarize(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "";
        try
        {
            var node = JsonNode.Parse(body);
            return node switch
            {
                JsonObject o => Keep(o).ToJsonString(),
                JsonArray a => $"[{a.Count} items]",
                _ => Clip(body),
            };
        }
        catch (JsonException)
        {
            return Clip(body);
        }
    }

    private static JsonObject Keep(JsonObject o)
    {
        var result = new JsonObject();
        foreach (var (name, value) in o)
        {
            if (name == "cancels" && value is JsonArray cancels)
                result["cancels"] = new JsonArray(cancels.OfType<JsonObject>().Select(c => (JsonNode)Keep(c)).ToArray());
            else if (Kept.Contains(name) && value is not JsonObject and not JsonArray)
                result[name] = value?.DeepClone();
        }
        return result;
    }

    private static string Clip(string s) => s.Length <= 300 ? s : s[..300] + "…";
}

namespace OpsConsole.Core.Warehouse;

/// <summary>Supplies OAuth access tokens for BigQuery. The seam tests replace, so they need no Google.</summary>
public interface IBigQueryTokenSource
{
    /// <summary>A valid access token; implementations cache it and refresh it before it expires.</summary>
    Task<string> GetAccessTokenAsync(CancellationToken cancellationToken);
}

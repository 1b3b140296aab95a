using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.Extensions.Options;

namespace OpsConsole.Core.Warehouse;

/// <summary>
/// Tokens from Google.Apis.Auth: a service-account key file when <see cref="BigQueryOptions.CredentialsFile"/>
/// is set, else application default credentials, scoped to BigQuery. The credential object caches the token
/// and refreshes it shortly before expiry, so one instance lives for the whole process.
/// </summary>
public sealed class GoogleTokenSource(IOptions<BigQueryOptions> options) : IBigQueryTokenSource
{
    public const string Scope = "https://www.googleapis.com/auth/bigquery";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private ITokenAccess? _credential;

    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        var credential = await GetCredentialAsync(cancellationToken);
        try
        {
            return await credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new BigQueryException(
                $"Could not get a Google access token for BigQuery ({Describe(e)}). Check the credentials: " +
                "the key may be revoked or disabled, or the account deleted.",
                "authError", BigQueryErrorClass.Fatal, detail: e.Message);
        }
    }

    private async Task<ITokenAccess> GetCredentialAsync(CancellationToken cancellationToken)
    {
        if (_credential is not null) return _credential;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _credential ??= await LoadAsync(options.Value.CredentialsFile, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<ITokenAccess> LoadAsync(string? keyFile, CancellationToken cancellationToken)
    {
        try
        {
            if (keyFile is { Length: > 0 })
            {
                var sa = await CredentialFactory.FromFileAsync<ServiceAccountCredential>(keyFile, cancellationToken);
                return sa.ToGoogleCredential().CreateScoped(Scope);
            }
            var adc = await GoogleCredential.GetApplicationDefaultAsync(cancellationToken);
            return adc.IsCreateScopedRequired ? adc.CreateScoped(Scope) : adc;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var where = keyFile is { Length: > 0 }
                ? $"the service-account key file '{keyFile}' (Warehouse:BigQuery:CredentialsFile)"
                : "application default credentials (set GOOGLE_APPLICATION_CREDENTIALS, run 'gcloud auth application-default login', or set Warehouse:BigQuery:CredentialsFile)";
            throw new BigQueryException($"Could not load Google credentials from {where}: {e.Message}",
                "authError", BigQueryErrorClass.Fatal, detail: e.Message);
        }
    }

    private static string Describe(Exception e) =>
        e is TokenResponseException t && t.Error is { } err
            ? $"{err.Error}: {err.ErrorDescription}".TrimEnd(' ', ':')
            : e.Message;
}

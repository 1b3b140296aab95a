using Microsoft.OpenApi;
using OpsConsole.Core.ApiClients;

namespace OpsConsole.Api.Edge;

/// <summary>The OpenAPI document of <c>/api/v1</c> at <c>/openapi/v1.json</c>, with its security schemes.</summary>
public static class ApiDocument
{
    public const string ApiKeySchemeName = "apiKey";
    public const string OAuth2SchemeName = "oauth2";

    public static WebApplicationBuilder AddApiDocument(this WebApplicationBuilder builder, JwtApiOptions jwt)
    {
        builder.Services.AddOpenApi("v1", o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "OpsConsole API";
                document.Info.Description = "The checkout API other services call. Authenticate with an API client's key " +
                                            "(`Authorization: Bearer ocs_…`) or, when configured, an OAuth2 client-credentials access token.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiKeySchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "ocs_ API key",
                    Description = "An API client's key (admin console or `api-clients create`). Scopes: " +
                                  string.Join(", ", ApiScopes.All) + ".",
                };
                if (jwt.Enabled)
                {
                    var scopes = ApiScopes.All.ToDictionary(s => s, s => $"Allows {s}");
                    document.Components.SecuritySchemes[OAuth2SchemeName] = jwt.TokenUrl is { Length: > 0 } tokenUrl
                        ? new OpenApiSecurityScheme
                        {
                            Type = SecuritySchemeType.OAuth2,
                            Description = "OAuth2 client-credentials access token from the company's identity provider.",
                            Flows = new OpenApiOAuthFlows
                            {
                                ClientCredentials = new OpenApiOAuthFlow { TokenUrl = new Uri(tokenUrl), Scopes = scopes },
                            },
                        }
                        : new OpenApiSecurityScheme
                        {
                            Type = SecuritySchemeType.OpenIdConnect,
                            Description = "OAuth2 client-credentials access token from the company's identity provider.",
                            OpenIdConnectUrl = new Uri($"{jwt.Authority!.TrimEnd('/')}/.well-known/openid-configuration"),
                        };
                }
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.RelativePath?.StartsWith("api/v1/payments", StringComparison.Ordinal) != true)
                    return Task.CompletedTask;
                var document = context.Document;
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(ApiKeySchemeName, document)] = [],
                });
                if (jwt.Enabled)
                    operation.Security.Add(new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(OAuth2SchemeName, document)] = [],
                    });
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>Served anonymously: other teams generate their clients from it.</summary>
    public static WebApplication MapApiDocument(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        return app;
    }
}

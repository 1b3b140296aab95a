using Microsoft.AspNetCore.DataProtection;
using OpsConsole.Core.Data;

namespace OpsConsole.Hosting;

/// <summary>
/// The data-protection key ring (it signs and encrypts the sign-in cookie and antiforgery tokens) lives in the
/// console's database, under one application name: a sign-in survives a restart or a new container and is
/// valid on every replica that shares the database. Settings <c>DataProtection:*</c>.
/// </summary>
public static class DataProtectionSetup
{
    public const string DefaultApplicationName = "OpsConsole";

    public static WebApplicationBuilder AddDatabaseDataProtection(this WebApplicationBuilder builder)
    {
        var name = builder.Configuration["DataProtection:ApplicationName"] is { Length: > 0 } n ? n : DefaultApplicationName;
        builder.Services.AddDataProtection()
            .SetApplicationName(name)
            .PersistKeysToDbContext<OpsDbContext>();
        return builder;
    }
}

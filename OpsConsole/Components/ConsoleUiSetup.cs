using MudBlazor.Services;

namespace OpsConsole.Components;

/// <summary>The Blazor Server console: components, MudBlazor, sign-in and authorization.</summary>
public static class ConsoleUiSetup
{
    public static WebApplicationBuilder AddConsoleUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        return builder;
    }

    public static WebApplication UseConsoleUi(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapConsoleUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}

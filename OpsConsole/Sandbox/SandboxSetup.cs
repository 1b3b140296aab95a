using OpsConsole.Components.Account;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Gateway;

namespace OpsConsole.Sandbox;

/// <summary>The Toss-compatible sandbox PG under <c>/sandbox/pg</c> (setting <c>Sandbox:Enabled</c>).</summary>
public static class SandboxSetup
{
    public const string TestCodeHeader = "TossPayments-Test-Code";

    public static bool IsEnabled(IConfiguration config, IHostEnvironment env) =>
        config.GetValue<bool?>("Sandbox:Enabled") ?? !env.IsProduction();

    public static WebApplicationBuilder AddSandboxPg(this WebApplicationBuilder builder)
    {
        var enabled = IsEnabled(builder.Configuration, builder.Environment);
        builder.Services.Configure<SandboxOptions>(builder.Configuration.GetSection("Sandbox"));
        builder.Services.AddSingleton(sp =>
        {
            var endpoint = ActivatorUtilities.CreateInstance<PgEndpoint>(sp);
            endpoint.SandboxEnabled = enabled;
            return endpoint;
        });
        if (!enabled) return builder;

        var connectionString = builder.Configuration["Sandbox:ConnectionString"] is { Length: > 0 } cs
            ? cs
            : $"Data Source={Path.Combine(builder.Configuration["DataDirectory"] is { Length: > 0 } d ? d : "data", "sandbox-pg.db")}";
        builder.Services.AddDbContextFactory<SandboxDbContext>(o => o.UseSqlite(connectionString));
        builder.Services.AddSingleton<SandboxPg>();
        builder.Services.AddSingleton<SandboxBank>();
        builder.Services.AddSingleton<SandboxFilePg>();
        // The sandbox PG pays into the sandbox bank account unless Cash:Pgs is configured (defaults below the configuration).
        if (!builder.Configuration.GetSection("Cash:Pgs").GetChildren().Any())
            builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
            {
                InitialData = SandboxBank.DefaultCashSettings(builder.Configuration["Sandbox:MerchantId"] is { Length: > 0 } m ? m : new SandboxOptions().MerchantId),
            });
        return builder;
    }

    public static WebApplication MapSandboxPg(this WebApplication app)
    {
        if (!IsEnabled(app.Configuration, app.Environment)) return app;

        var dataDir = app.Configuration["DataDirectory"] is { Length: > 0 } d ? d : "data";
        Directory.CreateDirectory(dataDir);
        using (var db = app.Services.GetRequiredService<IDbContextFactory<SandboxDbContext>>().CreateDbContext())
        {
            db.Database.EnsureCreated();
            SandboxSchema.AddMissingColumns(db);
        }

        // The outside world: anonymous to the console (its own secret key below), never takes the console cookie.
        var pg = app.MapGroup("/sandbox/pg/v1").ExcludeFromDescription().AllowAnonymous().Exempt().AddEndpointFilter(SandboxClock.FromHeader);
        pg.MapPost("/checkout", async (CheckoutRequest body, SandboxPg sandbox) =>
            Write(await sandbox.CheckoutAsync(body.OrderId, body.Amount, body.Method, body.Fault,
                body.InstallmentPlanMonths ?? 0, body.InterestFree ?? false, body.Currency, body.MId)));

        var api = pg.MapGroup("").AddEndpointFilter(RequireSecretKey);
        api.MapPost("/payments/confirm", (HttpContext ctx, SandboxPg sandbox) =>
            Idempotent(ctx, sandbox, async () =>
            {
                var body = await ReadAsync<TossConfirmRequest>(ctx);
                return (await sandbox.ConfirmAsync(body, TestCode(ctx)), body?.PaymentKey);
            }, $"{SandboxFaults.ApproveThenTimeout},{SandboxFaults.CanceledOutside}"));
        api.MapPost("/payments/{paymentKey}/cancel", (string paymentKey, HttpContext ctx, SandboxPg sandbox) =>
            Idempotent(ctx, sandbox, async () =>
            {
                var body = await ReadAsync<TossCancelRequest>(ctx);
                return (await sandbox.CancelAsync(paymentKey, body, TestCode(ctx)), paymentKey);
            }, SandboxFaults.CancelThenTimeout));
        api.MapGet("/payments/orders/{orderId}", async (string orderId, SandboxPg sandbox) =>
            Write(await sandbox.GetAsync(null, orderId)));
        api.MapGet("/payments/{paymentKey}", async (string paymentKey, SandboxPg sandbox) =>
            Write(await sandbox.GetAsync(paymentKey, null)));
        api.MapGet("/settlements", async (string? startDate, string? endDate, string? dateType, int? page, int? size,
                SandboxPg sandbox, CancellationToken ct) =>
            Write(await sandbox.SettlementsAsync(startDate, endDate, page ?? 1, size ?? 100, dateType, ct)));
        return app;
    }

    /// <summary><c>amount</c> in the currency's units (USD 726.24); <c>currency</c> ISO 4217, KRW when absent; <c>mId</c>
    /// the persona (absent: the Toss-like one; <see cref="SandboxFilePg.MerchantId"/>: the file persona).</summary>
    public sealed record CheckoutRequest(string? OrderId, decimal Amount, string? Method, string? Fault,
        int? InstallmentPlanMonths = null, bool? InterestFree = null, string? Currency = null, string? MId = null);

    private static async ValueTask<object?> RequireSecretKey(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var expected = ctx.HttpContext.RequestServices.GetRequiredService<IOptions<PgOptions>>().Value.SecretKey;
        var header = ctx.HttpContext.Request.Headers.Authorization.ToString();
        var ok = header.StartsWith("Basic ", StringComparison.Ordinal) &&
                 TryDecode(header[6..]) is { } decoded && decoded == expected + ":";
        return ok
            ? await next(ctx)
            : Write(SandboxPg.Error(401, TossErrorCodes.UnauthorizedKey, "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다."));
    }

    private static string? TryDecode(string base64)
    {
        try { return Encoding.UTF8.GetString(Convert.FromBase64String(base64)); }
        catch (FormatException) { return null; }
    }

    /// <summary>
    /// Toss idempotency: a replay returns the first answer, an in-flight duplicate gets 409. A fault that
    /// loses the answer hangs until the caller gives up, for the first request and for replays alike.
    /// </summary>
    private static async Task<IResult> Idempotent(HttpContext ctx, SandboxPg sandbox,
        Func<Task<(SandboxPg.Answer Answer, string? PaymentKey)>> run, string loseReplaysFault)
    {
        var key = ctx.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 300)
            return Write(SandboxPg.Error(400, TossErrorCodes.InvalidRequest, "Idempotency-Key is longer than 300 characters."));
        if (key.Length == 0)
            return await Finish(ctx, (await run()).Answer);

        var secret = ctx.Request.Headers.Authorization.ToString();
        var scope = SandboxPg.IdempotencyScope(secret, ctx.Request.Method, ctx.Request.Path, key);
        var prior = await sandbox.ClaimIdempotencyAsync(scope);
        if (prior is not null)
        {
            if (prior.StatusCode != 409 && await sandbox.HasFaultAsync(await PaymentKeyOfAsync(ctx), loseReplaysFault))
                return await Finish(ctx, prior with { LoseAnswer = true });
            return Write(prior);
        }

        SandboxPg.Answer? answer = null;
        try
        {
            (answer, _) = await run();
            if (answer.LoseAnswer && answer.StatusCode == 0)
                // Nothing happened and no answer comes: the request stays in flight (duplicates get 409)
                // until the caller gives up; then the key is free again.
                return await Finish(ctx, answer);
        }
        finally
        {
            await sandbox.CompleteIdempotencyAsync(scope, answer);
        }
        return await Finish(ctx, answer);
    }

    private static async Task<string?> PaymentKeyOfAsync(HttpContext ctx)
    {
        if (ctx.Request.RouteValues["paymentKey"] is string fromRoute) return fromRoute;
        return (await ReadAsync<TossConfirmRequest>(ctx))?.PaymentKey;
    }

    private static async Task<IResult> Finish(HttpContext ctx, SandboxPg.Answer answer)
    {
        if (!answer.LoseAnswer) return Write(answer);
        // The answer is lost on the way back: hold the request until the caller gives up.
        try
        {
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
        return Results.Empty;
    }

    private static IResult Write(SandboxPg.Answer answer) =>
        Results.Json(answer.Body, TossPaymentsClient.Json, statusCode: answer.StatusCode);

    private static string? TestCode(HttpContext ctx) =>
        ctx.Request.Headers[TestCodeHeader] is { Count: > 0 } v ? v.ToString() : null;

    private static async Task<T?> ReadAsync<T>(HttpContext ctx)
    {
        try
        {
            return await ctx.Request.ReadFromJsonAsync<T>(TossPaymentsClient.Json);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return default;
        }
    }
}

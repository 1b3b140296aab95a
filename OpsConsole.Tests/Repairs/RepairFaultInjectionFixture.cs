using Microsoft.AspNetCore.Http;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Repairs;

/// <summary>The app for the fault-injection tests, with its sandbox PG's requests in flight in view.</summary>
public sealed class RepairFaultInjectionFixture<TDatabase> : PaymentAppFixture<TDatabase> where TDatabase : TestDatabase, new()
{
    public SandboxPgRequests PgRequests { get; } = new();

    protected override void Configure(WebApplicationBuilder builder) => builder.Services.AddSingleton<IStartupFilter>(PgRequests);
}

/// <summary>
/// The requests the sandbox PG has received and not yet finished. A client that gives up (a timeout)
/// does not stop the PG: a cancel it sent may still be applied afterwards. A test that then moves the
/// clock hours ahead must first let the PG finish, as a real PG would have done long before.
/// <see cref="HoldCancels"/> makes the PG slower than the client's timeout, so that the interleaving
/// "our client gives up, then the PG applies the cancel" happens on purpose.
/// </summary>
public sealed class SandboxPgRequests : IStartupFilter
{
    private readonly Lock _lock = new();
    private int _inFlight;
    private TaskCompletionSource _idle = Idle();
    private TaskCompletionSource? _heldCancels;
    private TaskCompletionSource? _holdOne;
    private TaskCompletionSource? _heldOne;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(TrackAsync);
        next(app);
    };

    /// <summary>Cancels received from now on wait (body read) until <see cref="SettleAsync"/>.</summary>
    public void HoldCancels()
    {
        lock (_lock)
            _heldCancels ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// The next cancel the PG receives waits (body read, nothing applied, its idempotency key not claimed) until
    /// <see cref="SettleAsync"/>; later ones go through. Completes once that cancel is held.
    /// </summary>
    public Task HoldNextCancelAsync()
    {
        lock (_lock)
        {
            _holdOne ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _heldOne = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _heldOne.Task;
        }
    }

    /// <summary>Lets the PG go on with any held cancel and waits until it has finished every request it received.</summary>
    public Task SettleAsync()
    {
        Task idle;
        lock (_lock)
        {
            _heldCancels?.TrySetResult();
            _heldCancels = null;
            _holdOne?.TrySetResult();
            _holdOne = null;
            _heldOne = null;
            idle = _idle.Task;
        }
        return idle.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task TrackAsync(HttpContext ctx, RequestDelegate next)
    {
        if (!ctx.Request.Path.StartsWithSegments("/sandbox/pg"))
        {
            await next(ctx);
            return;
        }

        Task? held;
        TaskCompletionSource? arrived = null;
        lock (_lock)
        {
            if (_inFlight++ == 0)
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var isCancel = HttpMethods.IsPost(ctx.Request.Method) && ctx.Request.Path.Value!.EndsWith("/cancel", StringComparison.Ordinal);
            held = isCancel ? _heldCancels?.Task : null;
            if (isCancel && held is null && _heldOne is not null)
            {
                held = _holdOne!.Task;
                arrived = _heldOne;
                _heldOne = null; // only this one
            }
        }
        try
        {
            if (held is not null)
            {
                // The PG has the whole request; it gets to it later, whatever the client does meanwhile.
                ctx.Request.EnableBuffering();
                await ctx.Request.Body.CopyToAsync(Stream.Null);
                ctx.Request.Body.Position = 0;
                arrived?.TrySetResult();
                await held;
            }
            await next(ctx);
        }
        finally
        {
            TaskCompletionSource? nowIdle = null;
            lock (_lock)
            {
                if (--_inFlight == 0)
                    nowIdle = _idle;
            }
            nowIdle?.TrySetResult();
        }
    }

    private static TaskCompletionSource Idle()
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        idle.SetResult();
        return idle;
    }
}

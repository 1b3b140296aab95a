using Bunit;
using OpsConsole.Components.Account;
using OpsConsole.Components.Shared;

namespace OpsConsole.Tests.Console;

public sealed class ActionButtonTests : ConsoleComponentTest
{
    [Fact]
    public void RunNow_ForFinance_IsDisabledAndShowsTheReason()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        var clicks = 0;

        var cut = Render<ActionButton>(p => p
            .Add(b => b.Action, ConsoleActions.RunReconciliation)
            .Add(b => b.Id, "run-now")
            .Add(b => b.OnClick, () => clicks++)
            .AddChildContent("Run now"));

        var button = cut.Find("button#run-now");
        Assert.True(button.HasAttribute("disabled"));
        Assert.Equal(ConsoleActions.RunReconciliation.DeniedReason, cut.Find("#run-now-reason").TextContent.Trim());
        Assert.Equal(0, clicks);
    }

    [Fact]
    public void RunNow_ForOncall_IsEnabledAndInvokesTheHandler()
    {
        SignInAs("oncall", ConsoleRoles.Oncall);
        var clicks = 0;

        var cut = Render<ActionButton>(p => p
            .Add(b => b.Action, ConsoleActions.RunReconciliation)
            .Add(b => b.Id, "run-now")
            .Add(b => b.OnClick, () => clicks++)
            .AddChildContent("Run now"));

        var button = cut.Find("button#run-now");
        Assert.False(button.HasAttribute("disabled"));
        Assert.Empty(cut.FindAll("#run-now-reason"));
        button.Click();
        Assert.Equal(1, clicks);
    }

    [Fact]
    public void WhileTheActionRuns_TheButtonIsDisabled()
    {
        SignInAs("admin", ConsoleRoles.Admin);
        var release = new TaskCompletionSource();

        var cut = Render<ActionButton>(p => p
            .Add(b => b.Action, ConsoleActions.ExportAudit)
            .Add(b => b.Id, "export")
            .Add(b => b.OnClick, () => release.Task)
            .AddChildContent("Export"));

        cut.Find("button#export").Click();
        cut.WaitForAssertion(() => Assert.True(cut.Find("button#export").HasAttribute("disabled")));
        release.SetResult();
        cut.WaitForAssertion(() => Assert.False(cut.Find("button#export").HasAttribute("disabled")));
    }

    [Theory]
    [InlineData(ConsoleRoles.Engineer, false)]
    [InlineData(ConsoleRoles.Finance, true)]
    [InlineData(ConsoleRoles.Oncall, true)]
    [InlineData(ConsoleRoles.Admin, true)]
    public void WorkFindings_IsReadOnlyForEngineers(string role, bool allowed)
    {
        SignInAs("someone", role);

        var cut = Render<ActionButton>(p => p
            .Add(b => b.Action, ConsoleActions.WorkFindings)
            .Add(b => b.Id, "ack")
            .AddChildContent("Acknowledge"));

        Assert.Equal(!allowed, cut.Find("button#ack").HasAttribute("disabled"));
    }
}

using Studio.Web.Features.Generations;
using S = Studio.Web.Features.Generations.GenerationState;

namespace Studio.Tests.Features.Generations;

public class GenerationStateMachineTests
{
    [Theory]
    [InlineData(S.Reserved, S.Submitting)]
    [InlineData(S.Submitting, S.Queued)]
    [InlineData(S.Queued, S.Running)]
    [InlineData(S.Queued, S.Archiving)] // a fast task can finish between two polls
    [InlineData(S.Running, S.Archiving)]
    [InlineData(S.Archiving, S.Ready)]
    [InlineData(S.Submitting, S.Uncertain)]
    [InlineData(S.Running, S.Failed)]
    [InlineData(S.Uncertain, S.Failed)]
    [InlineData(S.Queued, S.Cancelled)]
    public void CanMove_Forward_IsAllowed(S from, S to) => Assert.True(GenerationStateMachine.CanMove(from, to));

    [Theory]
    [InlineData(S.Running, S.Queued)]
    [InlineData(S.Archiving, S.Running)]
    [InlineData(S.Queued, S.Submitting)]
    [InlineData(S.Submitting, S.Reserved)]
    [InlineData(S.Running, S.Running)]
    public void CanMove_BackwardOrSame_IsRefused(S from, S to) => Assert.False(GenerationStateMachine.CanMove(from, to));

    [Theory]
    [InlineData(S.Ready)]
    [InlineData(S.Failed)]
    [InlineData(S.Cancelled)]
    public void CanMove_FromTerminal_IsRefusedForEveryTarget(S terminal)
    {
        foreach (var to in Enum.GetValues<S>())
        {
            Assert.False(GenerationStateMachine.CanMove(terminal, to), $"{terminal} -> {to} must be refused");
        }
    }

    [Theory]
    [InlineData(S.Reserved)]
    [InlineData(S.Queued)]
    [InlineData(S.Running)]
    [InlineData(S.Archiving)]
    [InlineData(S.Ready)]
    public void CanMove_ToUncertain_OnlyFromSubmitting(S from) => Assert.False(GenerationStateMachine.CanMove(from, S.Uncertain));

    [Fact]
    public void CanMove_FromUncertain_NeverResumesTheLifecycleOnItsOwn()
    {
        Assert.False(GenerationStateMachine.CanMove(S.Uncertain, S.Queued));
        Assert.False(GenerationStateMachine.CanMove(S.Uncertain, S.Ready));
        Assert.True(GenerationStateMachine.CanMove(S.Uncertain, S.Cancelled));
    }

    [Fact]
    public void CanMove_ArchivingToCancelled_IsRefusedBecauseTheProviderAlreadyDelivered() =>
        Assert.False(GenerationStateMachine.CanMove(S.Archiving, S.Cancelled));

    [Fact]
    public void ActiveStates_AreExactlyTheNonTerminalOnesExceptUncertain()
    {
        var expected = Enum.GetValues<S>().Where(s => !GenerationStateMachine.IsTerminal(s) && s != S.Uncertain).ToHashSet();
        Assert.Equal(expected, GenerationStateMachine.ActiveStates.ToHashSet());
        Assert.All(GenerationStateMachine.ActiveStates, s => Assert.True(GenerationStateMachine.IsActive(s)));
    }
}

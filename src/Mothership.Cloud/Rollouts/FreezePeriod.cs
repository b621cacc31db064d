using Mothership.Model.Tekton;

namespace Mothership.Cloud.Rollouts;

/// <summary>One entry of <c>windows.freeze</c>: a day (<c>2026-12-24</c>) or days (<c>2026-12-31..2027-01-02</c>, both included), in the windows' time zone.</summary>
public sealed record FreezePeriod : Located
{
    public required DateOnly First { get; init; }

    public required DateOnly Last { get; init; }

    public bool Contains(DateOnly day) => day >= First && day <= Last;
}

namespace Mothership.Store;

/// <summary>Kubernetes label selector operators.</summary>
public enum LabelOperator
{
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

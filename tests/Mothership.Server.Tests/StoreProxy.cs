using System.Reflection;
using Mothership.Store;

namespace Mothership.Server.Tests;

/// <summary>
/// The base of the tests' store proxies: a real store behind (<see cref="Inner"/>), whose calls a
/// test watches or answers itself and otherwise hands on with <see cref="Forward"/> (which throws
/// what the store threw, not reflection's wrapper of it).
/// </summary>
public abstract class StoreProxy : DispatchProxy
{
    public IRunStore Inner { get; set; } = null!;

    /// <summary><paramref name="inner"/> behind a new <typeparamref name="TProxy"/>, and that proxy.</summary>
    public static (IRunStore Store, TProxy Proxy) Wrap<TProxy>(IRunStore inner) where TProxy : StoreProxy
    {
        var store = Create<IRunStore, TProxy>();
        var proxy = (TProxy)(object)store;
        proxy.Inner = inner;
        return (store, proxy);
    }

    /// <summary>The real store's answer to the call.</summary>
    protected object? Forward(MethodInfo targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        try
        {
            return targetMethod.Invoke(Inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}

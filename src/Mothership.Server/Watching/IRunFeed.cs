using System.Threading.Channels;

namespace Mothership.Server.Watching;

/// <summary>
/// One producer that reads one run once for all its subscribers (<see cref="RunWatch"/>,
/// <see cref="RunLogTail"/>), kept by <see cref="RunFeeds{TFeed, T}"/> while anyone subscribes.
/// </summary>
internal interface IRunFeed<T>
{
    string Uid { get; }

    /// <summary>The run stored something: read now rather than at the next poll.</summary>
    void Wake();

    void Add(ChannelWriter<T> subscriber);

    /// <summary>Removes a subscriber (its stream completes); returns how many are left.</summary>
    int Remove(ChannelWriter<T> subscriber);

    /// <summary>Reads and hands out until the run ends or <see cref="Stop"/>.</summary>
    Task RunAsync();

    void Stop();

    /// <summary>Ends every subscriber's stream (they read the store again or reconnect).</summary>
    void CompleteAll();
}

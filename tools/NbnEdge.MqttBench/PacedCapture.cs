using System.Diagnostics;
using NbnEdge.Link.Transports;

namespace NbnEdge.MqttBench;

/// <summary>
/// A recorded board stream played back as a station's link: at a steady byte rate (a board at a
/// fast time scale) or as fast as it is read. Recording once and playing it N times keeps the
/// simulator's own CPU cost (the firmware on a virtual ADC) out of the measurement.
/// </summary>
internal sealed class PacedCapture(string name, byte[] capture, double? bytesPerSecond) : IByteSource
{
    private readonly Stopwatch _clock = new();
    private int _sent;

    public string Name { get; } = name;

    public event Action<LinkStateChange>? StateChanged;

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!_clock.IsRunning)
        {
            _clock.Start();
            StateChanged?.Invoke(new LinkStateChange(LinkState.Connected, Name));
        }

        if (_sent >= capture.Length) return 0;
        int n;
        if (bytesPerSecond is not { } rate)
        {
            n = Math.Min(buffer.Length, Math.Min(4096, capture.Length - _sent));
            if (_sent % (64 * 1024) < 4096) await Task.Yield(); // let 50 stations share two cores fairly
        }
        else
        {
            while (true)
            {
                long due = (long)(_clock.Elapsed.TotalSeconds * rate) - _sent;
                if (due > 0)
                {
                    n = (int)Math.Min(Math.Min(due, buffer.Length), capture.Length - _sent);
                    break;
                }

                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }
        }

        capture.AsSpan(_sent, n).CopyTo(buffer.Span);
        _sent += n;
        return n;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

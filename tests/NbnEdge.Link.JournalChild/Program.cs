using NbnEdge.Firmware.Protocol;
using NbnEdge.Link.Journal;

// Usage: NbnEdge.Link.JournalChild DIRECTORY NAME
// Appends HELLO, then spectra (chunks + ESTIMATE) to the raw journal and one result line per
// spectrum, forever. After each append it prints "flushed raw=<bytes> results=<lines> spectra=<n>":
// what it reports has been handed to the OS, so it must survive kill -9.
// Spectrum n has points i = 0..200 with bias = n * 1000 + i and signal = n * 7 - i (checked by the test).
using var journal = new SessionJournal(args[0], args[1]);
var encoder = new FrameEncoder();
byte[] hello = System.Text.Encoding.UTF8.GetBytes("fw=0.1.0\nboard=test\nbias_uV_per_lsb=0.001430511474609375\nsignal_uV_per_lsb=1.430511474609375\npoints=201\n");
journal.AppendReceived(encoder.Output.AsSpan(0, encoder.EncodeText(MessageType.Hello, hello, 0, hello.Length)));
var bias = new int[201];
var signal = new int[201];
var estimate = new EstimateReport();
for (uint n = 0; ; n++)
{
    for (int i = 0; i < 201; i++)
    {
        bias[i] = (int)n * 1000 + i;
        signal[i] = (int)n * 7 - i;
    }

    // One read from the wire may hold any part of a frame: append in uneven pieces.
    journal.AppendReceived(encoder.Output.AsSpan(0, encoder.EncodeSpectrumChunk(n, bias, signal, 0, 125, 201, 0)));
    int last = encoder.EncodeSpectrumChunk(n, bias, signal, 125, 76, 201, MessageType.SpectrumFlagLastChunk);
    journal.AppendReceived(encoder.Output.AsSpan(0, last / 2));
    journal.AppendReceived(encoder.Output.AsSpan(last / 2, last - last / 2));
    estimate.SpectrumId = n;
    journal.AppendReceived(encoder.Output.AsSpan(0, encoder.EncodeEstimate(estimate)));
    journal.AppendResult($"{{\"spectrum_id\":{n},\"delta_meV\":2.11}}");
    Console.Out.WriteLine($"flushed raw={journal.Raw.Length} results={n + 1} spectra={n + 1}");
    Console.Out.Flush();
}

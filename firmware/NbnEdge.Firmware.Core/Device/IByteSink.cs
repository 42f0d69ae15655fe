namespace NbnEdge.Firmware.Device
{
    /// <summary>Where encoded frames go: the COM2 UART on a board, a pipe or file in a simulator.</summary>
    public interface IByteSink
    {
        /// <summary>Writes <paramref name="count"/> bytes; may block until the line takes them.</summary>
        void Write(byte[] buffer, int offset, int count);
    }
}

using System.IO.Ports;
using NbnEdge.Firmware.Device;

namespace NbnEdge.Firmware.Hardware
{
    /// <summary>Writes frames to the data UART (COM2).</summary>
    public sealed class SerialByteSink : IByteSink
    {
        private readonly SerialPort _port;

        /// <summary>Wraps an open port.</summary>
        public SerialByteSink(SerialPort port)
        {
            _port = port;
        }

        /// <inheritdoc />
        public void Write(byte[] buffer, int offset, int count)
        {
            _port.Write(buffer, offset, count);
        }
    }
}

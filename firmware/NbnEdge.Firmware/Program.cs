using System.IO.Ports;
using System.Threading;
using NbnEdge.Firmware.Boards;
using NbnEdge.Firmware.Device;
using NbnEdge.Firmware.Estimation;
using NbnEdge.Firmware.Hardware;
using NbnEdge.Firmware.Protocol;

namespace NbnEdge.Firmware
{
    /// <summary>
    /// Entry point on the board: sets the pins from the board definition, opens COM2, and runs the
    /// device logic on four threads plus a status timer: acquisition (DRDY → SPI read → sweep
    /// assembly, highest priority, never waits for anything else), the spectrum worker (SPECTRUM
    /// encoding and the estimator, from a double buffer), transmit (queue → UART) and receive
    /// events. See firmware/README.md for the time budget.
    /// </summary>
    public class Program
    {
        private const int StatusPeriodMs = 1000;

        private static NbnEdgeDevice _device;
        private static SerialPort _port;
        private static readonly byte[] ReceiveBuffer = new byte[256];

        /// <summary>Boots the firmware; never returns.</summary>
        public static void Main()
        {
#if NBNEDGE_BOARD_ESP32S3
            BoardDefinition board = BoardDefinitions.Esp32S3DevKitC();
#else
            BoardDefinition board = BoardDefinitions.Esp32DevKitC();
#endif
            PinSetup.Apply(board);

            // COM1 belongs to the debugger; the data stream has COM2 to itself.
            _port = new SerialPort("COM2", board.UartBaud, Parity.None, 8, StopBits.One);
            _port.Handshake = Handshake.None;
            _port.WriteBufferSize = 4096;
            _port.ReadBufferSize = 1024;
            _port.Open();

            SpiAdcTransport transport = new SpiAdcTransport(board);
            _device = new NbnEdgeDevice(board, transport, new Esp32Platform(), new GapEstimator(board));
            _port.DataReceived += OnDataReceived;

            Thread transmitter = new Thread(TransmitLoop);
            transmitter.Start();
            _device.Boot();

            Thread worker = new Thread(SpectrumWorkerLoop);
            worker.Priority = ThreadPriority.BelowNormal;
            worker.Start();

            Thread acquisition = new Thread(AcquisitionLoop);
            acquisition.Priority = ThreadPriority.Highest;
            acquisition.Start();

            Timer status = new Timer(OnStatusTimer, null, StatusPeriodMs, StatusPeriodMs);
            Thread.Sleep(Timeout.Infinite);
            status.Dispose();
        }

        private static void AcquisitionLoop()
        {
            while (true)
            {
                if (_device.AcquireOnce() < 0)
                {
                    // Not running: wait for START without spinning.
                    Thread.Sleep(10);
                }
            }
        }

        private static void SpectrumWorkerLoop()
        {
            while (true)
            {
                if (!_device.ProcessPendingSpectrum())
                {
                    _device.WaitForSpectrum(100);
                }
            }
        }

        private static void TransmitLoop()
        {
            SerialByteSink sink = new SerialByteSink(_port);
            byte[] scratch = new byte[MessageType.MaxEncodedFrameBytes];
            while (true)
            {
                if (_device.PumpTransmit(sink, scratch) == 0)
                {
                    Thread.Sleep(2);
                }
            }
        }

        private static void OnDataReceived(object sender, SerialDataReceivedEventArgs e)
        {
            int available = _port.BytesToRead;
            while (available > 0)
            {
                int wanted = available < ReceiveBuffer.Length ? available : ReceiveBuffer.Length;
                int read = _port.Read(ReceiveBuffer, 0, wanted);
                if (read <= 0)
                {
                    break;
                }

                _device.OnReceived(ReceiveBuffer, 0, read);
                available = _port.BytesToRead;
            }
        }

        private static void OnStatusTimer(object state)
        {
            _device.SendStatus();
        }
    }
}

namespace NbnEdge.Firmware.Protocol
{
    /// <summary>
    /// Bounded queue of whole encoded frames between the producers (acquisition, command replies,
    /// status timer) and the thread that writes the UART. When full it drops the new frame whole
    /// and counts it: the serial link must never stall acquisition (docs/PROTOCOL.md). All slots are
    /// allocated once; thread-safe.
    /// </summary>
    public sealed class TransmitQueue
    {
        private readonly byte[][] _slots;
        private readonly int[] _lengths;
        private readonly object _sync = new object();
        private int _head;
        private int _count;

        /// <summary>Frames dropped because the queue was full (STATUS tx_dropped_frames).</summary>
        public uint DroppedFrames;

        /// <summary>Creates a queue of <paramref name="capacityFrames"/> frames of the largest size.</summary>
        public TransmitQueue(int capacityFrames)
        {
            _slots = new byte[capacityFrames][];
            _lengths = new int[capacityFrames];
            for (int i = 0; i < capacityFrames; i++)
            {
                _slots[i] = new byte[MessageType.MaxEncodedFrameBytes];
            }
        }

        /// <summary>Frames waiting.</summary>
        public int Count
        {
            get
            {
                lock (_sync)
                {
                    return _count;
                }
            }
        }

        /// <summary>Most frames the queue holds.</summary>
        public int Capacity
        {
            get { return _slots.Length; }
        }

        /// <summary>Copies one encoded frame in; returns false (and counts a drop) when full.</summary>
        public bool TryEnqueue(byte[] frame, int offset, int length)
        {
            lock (_sync)
            {
                if (_count == _slots.Length || length > MessageType.MaxEncodedFrameBytes)
                {
                    DroppedFrames++;
                    return false;
                }

                int tail = (_head + _count) % _slots.Length;
                System.Array.Copy(frame, offset, _slots[tail], 0, length);
                _lengths[tail] = length;
                _count++;
                return true;
            }
        }

        /// <summary>
        /// Copies the oldest frame into <paramref name="destination"/> (at least
        /// <see cref="MessageType.MaxEncodedFrameBytes"/> long) and removes it; returns its length, 0 if empty.
        /// </summary>
        public int TryDequeue(byte[] destination)
        {
            lock (_sync)
            {
                if (_count == 0)
                {
                    return 0;
                }

                int length = _lengths[_head];
                System.Array.Copy(_slots[_head], 0, destination, 0, length);
                _head = (_head + 1) % _slots.Length;
                _count--;
                return length;
            }
        }

        /// <summary>Discards every waiting frame (not counted as dropped).</summary>
        public void Clear()
        {
            lock (_sync)
            {
                _head = 0;
                _count = 0;
            }
        }
    }
}

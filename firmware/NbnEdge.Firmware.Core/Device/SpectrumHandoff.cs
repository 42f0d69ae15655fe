using System;
using System.Threading;

namespace NbnEdge.Firmware.Device
{
    /// <summary>
    /// Double buffer between the acquisition thread and the spectrum worker. Acquisition copies a
    /// finished sweep into a free slot (a native array copy: microseconds) and goes straight back
    /// to the converter; the worker encodes the SPECTRUM chunks and runs the estimator (up to about
    /// a second in the interpreter) from the slot. With both slots busy the new spectrum is dropped
    /// and counted, never waited for: DRDY comes every millisecond and a missed one is a lost
    /// sample, while a dropped spectrum is visible to the host (STATUS spectra_dropped).
    /// All buffers are allocated here, once.
    /// </summary>
    public sealed class SpectrumHandoff
    {
        /// <summary>Slots: one being processed, one waiting. More would only hide a worker that cannot keep up.</summary>
        public const int Slots = 2;

        private readonly int[][] _bias = new int[Slots][];
        private readonly int[][] _signal = new int[Slots][];
        private readonly bool[][] _overranged = new bool[Slots][];
        private readonly int[] _count = new int[Slots];
        private readonly bool[] _backward = new bool[Slots];
        private readonly uint[] _id = new uint[Slots];
        // 0 free, 1 ready (published, waiting), 2 taken by the worker.
        private readonly int[] _state = new int[Slots];
        private readonly uint[] _order = new uint[Slots];
        private readonly object _lock = new object();
        private readonly AutoResetEvent _ready = new AutoResetEvent(false);
        private uint _published;
        private uint _dropped;

        /// <summary>Allocates both slots for spectra of up to <paramref name="maxPoints"/> points.</summary>
        public SpectrumHandoff(int maxPoints)
        {
            for (int i = 0; i < Slots; i++)
            {
                _bias[i] = new int[maxPoints];
                _signal[i] = new int[maxPoints];
                _overranged[i] = new bool[maxPoints];
            }
        }

        /// <summary>Spectra dropped because both slots were busy.</summary>
        public uint Dropped
        {
            get { return _dropped; }
        }

        /// <summary>
        /// Acquisition side: copies the spectrum into a free slot and wakes the worker; returns false
        /// (and counts a drop) when none is free. Never blocks beyond the short slot lock.
        /// </summary>
        public bool TryPublish(int[] biasCodes, int[] signalCodes, bool[] overranged, int count, bool backward, uint spectrumId)
        {
            int slot = -1;
            lock (_lock)
            {
                for (int i = 0; i < Slots; i++)
                {
                    if (_state[i] == 0)
                    {
                        slot = i;
                        break;
                    }
                }

                if (slot < 0)
                {
                    _dropped++;
                    return false;
                }

                // Claimed before copying: the worker never sees a half-copied slot.
                _state[slot] = 2;
            }

            Array.Copy(biasCodes, _bias[slot], count);
            Array.Copy(signalCodes, _signal[slot], count);
            Array.Copy(overranged, _overranged[slot], count);
            _count[slot] = count;
            _backward[slot] = backward;
            _id[slot] = spectrumId;
            lock (_lock)
            {
                _order[slot] = _published++;
                _state[slot] = 1;
            }

            _ready.Set();
            return true;
        }

        /// <summary>Worker side: the oldest ready slot, now taken (call <see cref="Release"/> when done), or −1.</summary>
        public int Take()
        {
            lock (_lock)
            {
                int best = -1;
                for (int i = 0; i < Slots; i++)
                {
                    if (_state[i] == 1 && (best < 0 || (int)(_order[i] - _order[best]) < 0))
                    {
                        best = i;
                    }
                }

                if (best >= 0)
                {
                    _state[best] = 2;
                }

                return best;
            }
        }

        /// <summary>Worker side: waits up to <paramref name="timeoutMs"/> for a published spectrum.</summary>
        public bool WaitForSpectrum(int timeoutMs)
        {
            return _ready.WaitOne(timeoutMs, false);
        }

        /// <summary>Frees a slot taken with <see cref="Take"/>.</summary>
        public void Release(int slot)
        {
            lock (_lock)
            {
                _state[slot] = 0;
            }
        }

        /// <summary>Bias codes of a taken slot.</summary>
        public int[] Bias(int slot)
        {
            return _bias[slot];
        }

        /// <summary>Signal codes of a taken slot.</summary>
        public int[] Signal(int slot)
        {
            return _signal[slot];
        }

        /// <summary>Per-point overrange flags of a taken slot.</summary>
        public bool[] Overranged(int slot)
        {
            return _overranged[slot];
        }

        /// <summary>Points in a taken slot.</summary>
        public int Count(int slot)
        {
            return _count[slot];
        }

        /// <summary>Whether a taken slot holds a backward sweep.</summary>
        public bool Backward(int slot)
        {
            return _backward[slot];
        }

        /// <summary>Spectrum id of a taken slot.</summary>
        public uint SpectrumId(int slot)
        {
            return _id[slot];
        }
    }
}

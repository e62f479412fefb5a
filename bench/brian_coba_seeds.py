"""How often Brian2 sustains the COBA network of LANGUAGE.md 3.7 (Brette et al.
2007 benchmark 1, the state of shared/bench/brian_coba.py) over a range of seeds,
in runtime mode. The network is bistable; examples/coba.hebb quotes the result.
Usage: /usr/bin/python3 brian_coba_seeds.py [euler|exponential_euler] FIRST END
(seeds FIRST to END - 1).
Prints one JSON line per seed with the mean rate in Hz."""
import sys, json
import numpy as np
from brian2 import *
prefs.logging.console_log_level = 'ERROR'
method = sys.argv[1] if len(sys.argv) > 1 else 'euler'
seeds = range(int(sys.argv[2]), int(sys.argv[3]))
for s in seeds:
    start_scope()
    seed(s)
    N = 4000
    taum = 20*ms; taue = 5*ms; taui = 10*ms
    Vt = -50*mV; Vr = -60*mV; Erev_exc = 0.*mV; Erev_inh = -80.*mV; El = -60*mV
    we = 6/10.; wi = 67/10.
    eqs = '''dv/dt  = (ge*(Erev_exc-v)+gi*(Erev_inh-v)-(v-El))/taum : volt (unless refractory)
dge/dt = -ge/taue : 1
dgi/dt = -gi/taui : 1'''
    P = NeuronGroup(N, eqs, threshold='v>Vt', reset='v = Vr', refractory=5*ms, method=method)
    P.v = '-55*mV + 5*mV*randn()'
    P.ge = '4 + 1.5*randn()'
    P.gi = '20 + 12*randn()'
    Ce = Synapses(P[:3200], P, on_pre="ge += we")
    Ci = Synapses(P[3200:], P, on_pre="gi += wi")
    Ce.connect(p=0.02); Ci.connect(p=0.02)
    sm = SpikeMonitor(P)
    run(1*second)
    print(json.dumps(dict(seed=s, method=method, rate=sm.num_spikes/N)), flush=True)

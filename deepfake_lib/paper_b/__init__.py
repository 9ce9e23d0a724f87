"""Paper B (Computers 13:99, 2024), a CNN-RNN tuned by particle swarm optimisation.

``pso`` (the swarm, notebook B1), ``stability`` (where it converges; the constriction
reading), ``crosscheck`` (against pyswarms), ``plots``; ``clips`` (1-second clips of a
video), ``preprocessing``, ``cnn_rnn`` (the model, the PSO fitness and the runs as dispatch
units, notebook B2); ``tables`` (Tables 2-3 from the ledger, notebook B3).
"""

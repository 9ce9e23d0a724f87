# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A1 · The equations of the hybrid CNN-LSTM
#
# Paper A (*Electronics* 13:1662, 2024) writes eleven equations in sections 2.3, 2.4, 3.4 and 4:
# the output size of a convolution (1)-(2), the convolution sum and layer (3)-(4), the LSTM
# gates (5)-(9), the loss (10) and the accuracy (11). Each one is written here in plain NumPy
# exactly as printed (`deepfake_lib.reference`) and compared, number for number, with what
# Keras or scikit-learn computes with the same inputs and weights. Where the printed formula
# is not what the framework computes, the difference is measured and said plainly; neither
# side is adjusted to agree.
#
# Change any shape in the parameters cell and rerun: every check below recomputes.

# %% tags=["parameters"]
seed = 0
profile = "smoke"
data_root = None          # not used: no data in this notebook
results_dir = None
image_shape = (7, 9, 3)   # H, W, C of the image convolved in (3)-(4)
kernel_size = 5           # the paper's 5 x 5 x 3 filter; any odd size works
n_filters = 4             # C_0 in (1)-(4)
lstm_batch = 3            # N sequences
lstm_steps = 6            # T time steps
lstm_inputs = 5           # D features per step
lstm_units = 4            # LSTM cells
n_labels = 200            # examples for (10)-(11)

# %%
import numpy as np
import pandas as pd

from deepfake_lib import reference as R
from deepfake_lib.results import Run

run = Run("A1_equations", globals())
rng = np.random.default_rng(seed)

import keras  # noqa: E402  (after Run: seeding Keras too)

keras.utils.set_random_seed(seed)

# %% [markdown]
# ## 1. Output size of a convolution, equations (1)-(2)
#
# $$W_0 = \frac{W_i - k + 2p}{s} + 1, \qquad H_0 = \frac{H_i - k + 2p}{s} + 1 .$$
#
# As printed, the fraction is not rounded: $W_i = 128$, $k = 3$, $p = 0$, $s = 2$ gives
# 63.5. Frameworks take the floor, $\lfloor (W_i - k + 2p)/s \rfloor + 1$. For Keras's
# `padding="same"` the output is $\lceil W_i / s \rceil$ and the *total* padding is
# $\max((\lceil W_i/s\rceil - 1)s + k - W_i, 0)$, split with the extra zero after: with an
# even kernel, such as the paper's $k = 6$, there is no integer $p$ on each side. We compare
# three versions of (1) with the width `Conv2D` really returns, over a grid of input sizes,
# kernels (the paper's 1, 3, 6, 9 and 5), strides and both paddings.

# %%
table = R.output_size_table(sizes=(5, 6, 7, 32, 33, 128), kernels=(1, 3, 5, 6, 9),
                           strides=(1, 2, 3))
table.sample(8, random_state=seed)

# %%
# NBVAL_CHECK_OUTPUT
agree = table.groupby("padding")[["floor_matches", "printed_matches", "p_half_k_matches"]].mean()
print(agree.round(3).to_string())
print(f"{len(table)} combinations; floor with Keras's padding matches in {table.floor_matches.sum()}")

# %% [markdown]
# With a floor and Keras's padding, equation (1) gives Keras's size in every combination.
# As printed (no floor) it misses whenever $s$ does not divide $W_i - k + 2p$; with the
# hand-written symmetric $p = \lfloor k/2 \rfloor$ it misses for every even kernel at stride 1.
# The paper's own fourth block is such a case:

# %%
# NBVAL_CHECK_OUTPUT
print("k=6, same, 128 px: Keras", R.keras_conv_output_size(128, 6, 1, "same"),
      "| eq. (1) with p = k//2 = 3:", R.conv_output_size(128, 6, 3, 1),
      "| Keras pads", R.same_padding_total(128, 6, 1), "zeros (2 before, 3 after)")
print("k=3, valid, stride 2, 128 px: eq. (1) as printed", R.conv_output_size(128, 3, 0, 2, floor=False),
      "| with floor", R.conv_output_size(128, 3, 0, 2), "| Keras", R.keras_conv_output_size(128, 3, 2, "valid"))
miss = table[~table.printed_matches]
run["eq1"] = {"n_combinations": len(table), "floor_matches": int(table.floor_matches.sum()),
              "printed_matches": int(table.printed_matches.sum()),
              "p_half_k_matches": int(table.p_half_k_matches.sum())}

# %% [markdown]
# ## 2. The convolution sum and layer, equations (3)-(4)
#
# As printed, for a $5 \times 5 \times 3$ filter $K_l$:
#
# $$(K_l * I)_{i,j} = \sum_{c=0}^{2} \sum_{n=0}^{4} \sum_{m=0}^{4} K_l^{\,n,m,c}\; I_{i+n-2,\; i+m-2,\; c}$$
#
# The second image index repeats $i$ where $j$ is meant: read literally, every output column
# equals the diagonal element $(i, i)$. With $j$ in its place it is a **cross-correlation**
# (the kernel slides without being flipped), which is what `Conv2D` computes; the
# signal-processing convolution flips the kernel. Equation (4) adds the bias and the
# activation: $z(x) = \Phi(K * x + b)$ with $\Phi$ = ReLU.

# %%
image = rng.normal(size=image_shape)
K = rng.normal(size=(kernel_size, kernel_size, image_shape[2], n_filters))
b = rng.normal(size=n_filters)
ours = R.conv_layer(image, K, b)                 # (3) with j, then (4)
theirs = R.keras_conv2d(image, K, b)             # Conv2D(padding="same", activation="relu")
flipped = R.relu(np.stack([R.true_convolution(image, K[..., l]) for l in range(n_filters)], -1) + b)
printed = R.relu(R.conv_sum_eq3(image, K[..., 0], as_printed=True) + b[0])

# %%
# NBVAL_CHECK_OUTPUT
d_conv = float(np.abs(ours - theirs).max())
d_flip = float(np.abs(flipped - theirs).max())
d_printed = float(np.nanmax(np.abs(printed - theirs[..., 0])))
print(f"(3)-(4) with j            vs Conv2D: max |diff| < 1e-4: {d_conv < 1e-4}")
print(f"flipped kernel (true conv) vs Conv2D: max |diff| = {d_flip:.2f}")
print(f"(3) as printed (i twice)  vs Conv2D: max |diff| = {d_printed:.2f}")
run["eq3_4"] = {"max_abs_diff": d_conv, "flipped_max_abs_diff": d_flip, "as_printed_max_abs_diff": d_printed}

# %% [markdown]
# The sum with $j$ agrees with Keras to float32 rounding; the flipped kernel and the literal
# reading do not. A non-square image leaves the literal reading undefined for $i \ge W$
# (shown as NaN and left out of the maximum).

# %% [markdown]
# ## 3. The LSTM, equations (5)-(9)
#
# The paper copies the LSTM of Goodfellow, Bengio and Courville (its reference [59]):
#
# $$f_i^{(t)} = \sigma\Big(b_i^f + \sum_j U_{i,j}^f x_j^{(t)} + \sum_j W_{i,j}^f h_j^{(t-1)}\Big) \quad (5)$$
# $$s_i^{(t)} = f_i^{(t)} s_i^{(t-1)} + g_i^{(t)}\, \sigma\Big(b_i + \sum_j U_{i,j} x_j^{(t)} + \sum_j W_{i,j} h_j^{(t-1)}\Big) \quad (6)$$
# $$g_i^{(t)} = \sigma\Big(b_i^g + \sum_j U_{i,j}^g x_j^{(t)} + \sum_j W_{i,j}^g h_j^{(t-1)}\Big) \quad (7)$$
# $$h_i^{(t)} = \tanh\big(s_i^{(t)}\big)\, q_i^{(t)} \quad (8) \qquad
#   q_i^{(t)} = \sigma\Big(b_i^o + \sum_j U_{i,j}^o x_j^{(t)} + \sum_j W_{i,j}^o h_j^{(t-1)}\Big) \quad (9)$$
#
# `keras.layers.LSTM` stores `kernel` $(D, 4u)$, `recurrent_kernel` $(u, 4u)$ and `bias`
# $(4u)$, each in four column blocks in the order input, forget, cell, output. So
# $U^g, U^f, U, U^o$ are the transposed blocks of `kernel`, $W^\cdot$ those of
# `recurrent_kernel`, $b^\cdot$ those of `bias`. Keras differs from (6) in one place: the cell
# input goes through **tanh**, not $\sigma$. The printed line of (8) also admits
# $\tanh(s\,q)$; Goodfellow et al. and Keras mean $\tanh(s)\,q$. We run a Keras LSTM, take its
# weights, and run all four combinations in NumPy.

# %%
x = rng.normal(size=(lstm_batch, lstm_steps, lstm_inputs))
h_keras, weights = R.keras_lstm(x, lstm_units, seed=seed)
params = R.lstm_params_from_keras(*weights)
rows = []
for cell_input in ("sigmoid", "tanh"):
    for output in ("tanh(s)*q", "tanh(s*q)"):
        h, s = R.lstm_forward(x, params, cell_input=cell_input, output=output)
        rows.append({"(6) cell input": cell_input, "(8) output": output,
                     "max |h - h_keras|": float(np.abs(h - h_keras).max()),
                     "mean |h - h_keras|": float(np.abs(h - h_keras).mean())})
lstm_table = pd.DataFrame(rows)

# %%
# NBVAL_CHECK_OUTPUT
print(lstm_table.to_string(index=False, float_format=lambda v: "< 1e-4" if v < 1e-4 else f"{v:.3f}"))

# %% [markdown]
# With tanh as the cell input and $h = \tanh(s)\,q$, NumPy and Keras agree to float32
# rounding: the weight mapping is right. Equation (6) as printed ($\sigma$ on the cell input)
# is a different network: with the same weights its hidden states differ from Keras's by the
# amount in the first row. It is also a weaker one: since $\sigma > 0$ and $s^{(0)} = 0$, the
# state can never become negative, so the cell can only add evidence, never subtract it.

# %%
# NBVAL_CHECK_OUTPUT
_, s_paper = R.lstm_forward(x, params, cell_input="sigmoid")
print("min state with sigma as cell input:", f"{s_paper.min():.3f}", "(never below 0)")
lstm_rows = {f"{r['(6) cell input']}|{r['(8) output']}": r["max |h - h_keras|"] for r in rows}
run["eq5_9_max_abs_diff"] = lstm_rows

# %% [markdown]
# ## 4. The loss, equation (10), and the accuracy, equation (11)
#
# The paper names binary cross-entropy and prints
#
# $$\text{Loss} = -\sum_{i=1}^{\text{output size}} y_i \cdot \log \hat y_i \quad (10)$$
#
# which is the categorical form: for one sigmoid output it drops the
# $(1 - y_i)\log(1 - \hat y_i)$ term, so real images ($y = 0$) cost nothing and a network that
# answers "fake" for everything has loss 0; it is also a sum, not a mean. Binary
# cross-entropy, which Keras computes, is
# $-\frac{1}{n}\sum_i [y_i \log \hat y_i + (1-y_i)\log(1-\hat y_i)]$.
# Accuracy (11) is $(TP + TN) / (TP + TN + FP + FN)$.

# %%
y = rng.integers(0, 2, n_labels)
y_hat = rng.uniform(0.01, 0.99, n_labels)
keras_bce = float(keras.losses.BinaryCrossentropy()(y.astype("float32"), y_hat.astype("float32")))
from sklearn.metrics import accuracy_score  # noqa: E402

y_pred = (y_hat >= 0.5).astype(int)

# %%
# NBVAL_CHECK_OUTPUT
print(f"binary cross-entropy (NumPy) {R.binary_cross_entropy(y, y_hat):.6f} | Keras {keras_bce:.6f}")
print(f"(10) as printed              {R.loss_eq10(y, y_hat):.4f} (sum over {n_labels} examples)")
print(f"(10) as printed / n          {R.loss_eq10(y, y_hat) / n_labels:.4f}")
print(f"(10) as printed, all 'fake'  {R.loss_eq10(y, np.ones(n_labels)):.4f} | BCE {R.binary_cross_entropy(y, np.ones(n_labels)):.2f}")
print(f"(11) accuracy {R.accuracy_eq11(y, y_pred):.4f} | scikit-learn {accuracy_score(y, y_pred):.4f}")
run["eq10"] = {"bce_numpy": R.binary_cross_entropy(y, y_hat), "bce_keras": keras_bce,
               "as_printed": R.loss_eq10(y, y_hat), "as_printed_all_fake": R.loss_eq10(y, np.ones(n_labels))}
run["eq11"] = {"ours": R.accuracy_eq11(y, y_pred), "sklearn": float(accuracy_score(y, y_pred))}

# %% [markdown]
# ## Summary
#
# | equation | as printed | what the frameworks compute | measured difference |
# |---|---|---|---|
# | (1)-(2) | no floor; symmetric $p$ | floor; asymmetric "same" padding for even $k$ | see section 1 |
# | (3) | $I_{i+n-2,\,i+m-2}$ | $I_{i+n-2,\,j+m-2}$, cross-correlation | see section 2 |
# | (4) | $\Phi(K*x+b)$ | the same | float32 rounding |
# | (5)-(9) | $\sigma$ on the cell input | tanh on the cell input | see section 3 |
# | (10) | $-\sum y \log \hat y$ | mean binary cross-entropy | see section 4 |
# | (11) | $(TP+TN)/\text{all}$ | the same | 0 |
#
# The evidence below is what the claims dashboard reads; each `holds` is computed from the
# differences above (tolerance 1e-4, float32 rounding).

# %%
# NBVAL_CHECK_OUTPUT
tol = 1e-4
checks = {
    "A.eq1.output_size_as_printed": (table.printed_matches.all(), "Equation (1) as printed gives Conv2D's output size"),
    "A.eq3.conv_as_printed": (d_printed < tol, "Equation (3) as printed is what Conv2D computes"),
    "A.eq4.conv_layer": (d_conv < tol, "Equation (4) (with j for the repeated i) is what Conv2D computes"),
    "A.eq6.lstm_as_printed": (lstm_rows["sigmoid|tanh(s)*q"] < tol, "Equations (5)-(9) as printed are what keras.layers.LSTM computes"),
    "A.eq10.loss_as_printed": (abs(R.loss_eq10(y, y_hat) - keras_bce) < tol, "Equation (10) as printed is binary cross-entropy"),
    "A.eq11.accuracy": (abs(R.accuracy_eq11(y, y_pred) - accuracy_score(y, y_pred)) < tol, "Equation (11) is accuracy"),
}
for key, (holds, claim) in checks.items():
    run.evidence(key, claim, bool(holds), data="none")
    print(f"{key:32s} holds={bool(holds)}")

# %%
run.save();

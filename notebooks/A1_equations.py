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
# exactly as printed (`deepfake_lib.paper_a.equations`) and compared, number for number, with what
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

from deepfake_lib.claims import ledger, readings
from deepfake_lib.core.results import Run
from deepfake_lib.paper_a import equations

run = Run("A1_equations", globals())
rng = np.random.default_rng(seed)

import keras  # noqa: E402  (after Run: seeding Keras too)

keras.utils.set_random_seed(seed)

# %% [markdown]
# ## Readings and departures
#
# Where the paper can be read more than one way, or where this notebook departs from it,
# and what the book does (`deepfake_lib/claims/readings_A.yaml`):

# %%
readings.table("A1_equations")

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
table = equations.output_size_table(sizes=(5, 6, 7, 32, 33, 128),
                                    kernels=(1, 3, 5, 6, 9), strides=(1, 2, 3))
table.sample(8, random_state=seed)

# %%
# NBVAL_CHECK_OUTPUT
matches = ["floor_matches", "printed_matches", "p_half_k_matches"]
agree = table.groupby("padding")[matches].mean()
print(agree.round(3).to_string())
print(f"{len(table)} combinations; floor with Keras's padding matches in "
      f"{table.floor_matches.sum()}")

# %% [markdown]
# With a floor and Keras's padding, equation (1) gives Keras's size in every combination.
# As printed (no floor) it misses whenever $s$ does not divide $W_i - k + 2p$; with the
# hand-written symmetric $p = \lfloor k/2 \rfloor$ it misses for every even kernel at stride 1.
# The floor is a convention the printed fraction leaves implicit, not an error: a convolution
# has a whole number of output positions, and with the floor and $2p$ read as the total
# padding, (1) is what Keras computes. The paper's own fourth block is an even kernel:

# %%
# NBVAL_CHECK_OUTPUT
print("k=6, same, 128 px: Keras", equations.keras_conv_output_size(128, 6, 1, "same"),
      "| eq. (1) with p = k//2 = 3:", equations.conv_output_size(128, 6, 3, 1),
      "| Keras pads", equations.same_padding_total(128, 6, 1),
      "zeros (2 before, 3 after)")
print("k=3, valid, stride 2, 128 px: eq. (1) as printed",
      equations.conv_output_size(128, 3, 0, 2, floor=False),
      "| with floor", equations.conv_output_size(128, 3, 0, 2),
      "| Keras", equations.keras_conv_output_size(128, 3, 2, "valid"))
run["eq1"] = {"n_combinations": len(table)} | {m: int(table[m].sum()) for m in matches}

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
ours = equations.conv_layer(image, K, b)                 # (3) with j, then (4)
theirs = equations.keras_conv2d(image, K, b)             # Conv2D, "same", ReLU
flips = [equations.true_convolution(image, K[..., l]) for l in range(n_filters)]
flipped = equations.relu(np.stack(flips, -1) + b)
printed = equations.conv_sum_eq3(image, K[..., 0], as_printed=True)
printed = equations.relu(printed + b[0])

# %%
# NBVAL_CHECK_OUTPUT
d_conv = float(np.abs(ours - theirs).max())
d_flip = float(np.abs(flipped - theirs).max())
d_printed = float(np.nanmax(np.abs(printed - theirs[..., 0])))
print(f"(3)-(4) with j            vs Conv2D: max |diff| < 1e-4: {d_conv < 1e-4}")
print(f"flipped kernel (true conv) vs Conv2D: max |diff| = {d_flip:.2f}")
print(f"(3) as printed (i twice)  vs Conv2D: max |diff| = {d_printed:.2f}")
run["eq3_4"] = {"max_abs_diff": d_conv, "flipped_max_abs_diff": d_flip,
                "as_printed_max_abs_diff": d_printed}

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
h_keras, weights = equations.keras_lstm(x, lstm_units, seed=seed)
params = equations.lstm_params_from_keras(*weights)
rows = []
for cell_input in ("sigmoid", "tanh"):
    for output in ("tanh(s)*q", "tanh(s*q)"):
        h, s = equations.lstm_forward(x, params, cell_input=cell_input, output=output)
        rows.append({"(6) cell input": cell_input, "(8) output": output,
                     "max |h - h_keras|": float(np.abs(h - h_keras).max()),
                     "mean |h - h_keras|": float(np.abs(h - h_keras).mean())})
lstm_table = pd.DataFrame(rows)

# %%
# NBVAL_CHECK_OUTPUT
print(lstm_table.to_string(
    index=False, float_format=lambda v: "< 1e-4" if v < 1e-4 else f"{v:.3f}"))

# %% [markdown]
# With tanh as the cell input and $h = \tanh(s)\,q$, NumPy and Keras agree to float32
# rounding: the weight mapping is right. Equation (6) as printed ($\sigma$ on the cell input)
# is a different network: with the same weights its hidden states differ from Keras's by the
# amount in the first row. It is also a weaker one: since $\sigma > 0$ and $s^{(0)} = 0$, the
# state can never become negative, so the cell can only add evidence, never subtract it.

# %%
# NBVAL_CHECK_OUTPUT
_, s_paper = equations.lstm_forward(x, params, cell_input="sigmoid")
print("min state with sigma as cell input:", f"{s_paper.min():.3f}", "(never below 0)")
lstm_rows = {f"{r['(6) cell input']}|{r['(8) output']}": r["max |h - h_keras|"]
             for r in rows}
run["eq5_9_max_abs_diff"] = lstm_rows

# %% [markdown]
# ## 4. The loss, equation (10), and the accuracy, equation (11)
#
# The paper names binary cross-entropy and prints
#
# $$\text{Loss} = -\sum_{i=1}^{\text{output size}} y_i \cdot \log \hat y_i \quad (10)$$
#
# The sum runs over the **output units** of one example, not over the examples. With the
# paper's network, which ends in a single sigmoid node (output size 1), it is
# $-y \log \hat y$: the $(1 - y)\log(1 - \hat y)$ term of binary cross-entropy is gone, so
# real images ($y = 0$) cost nothing and a network that answers "fake" for everything has
# loss 0. With two softmax outputs $(1 - \hat y, \hat y)$ and one-hot labels $(1 - y, y)$
# (output size 2) the same sum *is* binary cross-entropy,
# $-[y \log \hat y + (1-y)\log(1-\hat y)]$. Both readings are evaluated, averaged over the
# examples as Keras averages a loss over a batch. Accuracy (11) is
# $(TP + TN) / (TP + TN + FP + FN)$.

# %%
from sklearn.metrics import accuracy_score  # noqa: E402

y = rng.integers(0, 2, n_labels)
y_hat = rng.uniform(0.01, 0.99, n_labels)
bce = keras.losses.BinaryCrossentropy()
keras_bce = float(bce(y.astype("float32"), y_hat.astype("float32")))
eq10 = {size: equations.loss_eq10(y, y_hat, output_size=size) for size in (1, 2)}
all_fake = equations.loss_eq10(y, np.ones(n_labels))
y_pred = (y_hat >= 0.5).astype(int)

# %%
# NBVAL_CHECK_OUTPUT
print(f"binary cross-entropy: NumPy {equations.binary_cross_entropy(y, y_hat):.6f}"
      f" | Keras {keras_bce:.6f}")
print(f"(10), one sigmoid output (output size 1)  {eq10[1]:.6f}")
print(f"(10), two softmax outputs (output size 2) {eq10[2]:.6f}")
print(f"(10), one output, all answered 'fake'      {all_fake:.4f}")
print(f"(11) accuracy {equations.accuracy_eq11(y, y_pred):.4f}"
      f" | scikit-learn {accuracy_score(y, y_pred):.4f}")
run["eq10"] = {"bce_numpy": equations.binary_cross_entropy(y, y_hat),
               "bce_keras": keras_bce, "one_output": eq10[1], "two_outputs": eq10[2],
               "one_output_all_fake": all_fake}
run["eq11"] = {"ours": equations.accuracy_eq11(y, y_pred),
               "sklearn": float(accuracy_score(y, y_pred))}

# %% [markdown]
# ## Summary
#
# | equation | as printed | what the frameworks compute | measured difference |
# |---|---|---|---|
# | (1)-(2) | no floor (a convention); symmetric $p$ | floor; asymmetric "same" padding for even $k$ | see section 1 |
# | (3) | $I_{i+n-2,\,i+m-2}$ | $I_{i+n-2,\,j+m-2}$, cross-correlation | see section 2 |
# | (4) | $\Phi(K*x+b)$ | the same | float32 rounding |
# | (5)-(9) | $\sigma$ on the cell input | tanh on the cell input | see section 3 |
# | (10) | $-\sum_{i=1}^{\text{output size}} y_i \log \hat y_i$ | binary cross-entropy: the same with two outputs, not with the paper's one | see section 4 |
# | (11) | $(TP+TN)/\text{all}$ | the same | 0 |
#
# The evidence below is what the claims dashboard reads; each `holds` is computed from the
# differences above (tolerance 1e-4, float32 rounding). Equation (1) is judged with the
# floor its fraction leaves implicit, and equation (10) for the paper's network (one sigmoid
# output); the detail of each record gives the other readings.

# %%
tol = 1e-4
n_floor, n_printed = int(table.floor_matches.sum()), int(table.printed_matches.sum())
eq1_detail = (f"with the floor (a convention the printed fraction leaves implicit) "
              f"{n_floor} of {len(table)} combinations match Conv2D; without it "
              f"{n_printed}")
eq10_detail = (f"one sigmoid output (the paper's network): {eq10[1]:.4f} vs BCE "
               f"{keras_bce:.4f}; two softmax outputs: {eq10[2]:.4f} (equal)")
lstm_gap = lstm_rows["sigmoid|tanh(s)*q"]
acc_gap = abs(equations.accuracy_eq11(y, y_pred) - accuracy_score(y, y_pred))

# %%
# NBVAL_CHECK_OUTPUT
checks = {
    "A.eq1.output_size_as_printed": (n_floor == len(table), eq1_detail),
    "A.eq3.conv_as_printed": (d_printed < tol, f"max |diff| {d_printed:.2f}"),
    "A.eq4.conv_layer": (d_conv < tol, "with j for the repeated i"),
    "A.eq6.lstm_as_printed": (lstm_gap < tol, "sigma as cell input"),
    "A.eq10.loss_as_printed": (abs(eq10[1] - keras_bce) < tol, eq10_detail),
    "A.eq11.accuracy": (acc_gap < tol, "against scikit-learn"),
}
claims = ledger.claims_by_id()
for key, (holds, detail) in checks.items():
    claim = f"{claims[key].where}: {claims[key].quantity}, as the framework computes it"
    run.evidence(key, claim, bool(holds), detail=detail, data="none")
    print(f"{key:32s} holds={bool(holds)}")

# %% [markdown]
# ## What next
#
# Notebook A2 builds the three models from these layers and counts their parameters under
# every reading of where the LSTM sits; notebook A3 trains them with the loss of section 4
# (binary cross-entropy) and the learning-rate schedule of section 3.4.

# %%
run.save();

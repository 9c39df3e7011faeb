"""Meterline's reference baseline: OpenDSM (LF Energy's OpenEEmeter) fits its daily model on its
own sample meter and temperature data and this script prints what it computed as ONE JSON
document on stdout (see test/reference/README.md for the fields and the definitions behind them).

Run with the interpreter of the environment ensureMiningReference() installs:

    <venv>/bin/python test/reference/opendsm_baseline.py [--sample ID]

Nothing here re-implements OpenDSM: the fit, the prediction, the statistics and the savings are
OpenDSM's own (DailyModel, BaselineMetrics, ReportingMetrics). The one figure this script
computes itself is labelled as such: an ordinary least-squares refit at OpenDSM's balance
points (numpy), which gives the p-values OpenDSM does not report and is what an OLS-on-degree-days
baseline given the same balance points must reproduce.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import warnings
from importlib.metadata import version

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")  # OpenDSM warns through `warnings`; the warnings that matter are in the document

from opendsm import eemeter  # noqa: E402
from opendsm.common.metrics import BaselineMetrics, ReportingMetrics  # noqa: E402
from scipy import stats  # noqa: E402

DEFAULT_SAMPLE = "il-electricity-cdd-hdd-daily"
BASELINE_DAYS = 365
REPORTING_DAYS = 365


def num(x):
    """A JSON number, or null for what is not finite."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def day(ts) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def daily_rows(df: pd.DataFrame, predicted: pd.Series | None = None) -> list[dict]:
    rows = []
    for ts, row in df.iterrows():
        item = {"date": day(ts), "observed_kwh": num(row["observed"]), "temperature_f": num(row["temperature"])}
        if predicted is not None:
            item["predicted_kwh"] = num(predicted.get(ts))
        rows.append(item)
    return rows


def warning_names(items) -> list[dict]:
    out = []
    for w in items:
        data = w.data if isinstance(w.data, dict) else {"items": w.data}
        out.append({"name": w.qualified_name, "description": w.description, "data": json.loads(json.dumps(data, default=str))})
    return out


METRIC_FIELDS = (
    "n", "n_prime", "num_model_params", "ddof", "ddof_autocorr",
    "r_squared", "r_squared_adj", "rmse", "rmse_adj", "cvrmse", "cvrmse_adj", "cvrmse_autocorr_adj",
    "mbe", "nmbe", "mae", "nmae", "sse", "pnrmse", "pnrmse_adj",
)


def metrics_doc(m: BaselineMetrics) -> dict:
    doc = {k: num(getattr(m, k)) for k in METRIC_FIELDS}
    doc["observed_mean"] = num(m.observed.mean)
    return doc


def submodel_doc(sub) -> dict:
    """One fitted submodel as the TypeScript side needs it: degree-day form with explicit balance points."""
    c = sub.coefficients
    key = c.model_key
    tc = sub.temperature_constraints
    doc = {"model_type": c.model_type.value, "model_key": key, "coefficients_as_stored": {k: num(v) for k, v in c.model_dump().items() if isinstance(v, (int, float))}}
    # OpenDSM stores hdd_beta as a positive number; c_hdd_* models store one balance point and a signed slope
    # (negative = heating). Rewritten here as: usage = intercept + hdd_slope * max(0, hdd_bp - T) + cdd_slope * max(0, T - cdd_bp).
    hdd_bp = hdd_slope = cdd_bp = cdd_slope = None
    if key in ("hdd_tidd_cdd", "hdd_tidd_cdd_smooth"):
        hdd_bp, hdd_slope, cdd_bp, cdd_slope = c.hdd_bp, c.hdd_beta, c.cdd_bp, c.cdd_beta
    elif key in ("c_hdd_tidd", "c_hdd_tidd_smooth"):
        if c.model_type.value.startswith("hdd"):
            hdd_bp, hdd_slope = c.hdd_bp, c.hdd_beta
        else:
            cdd_bp, cdd_slope = c.cdd_bp, c.cdd_beta
    doc["degree_day_form"] = {
        "intercept_kwh_per_day": num(c.intercept),
        "hdd_balance_point_f": num(hdd_bp),
        "hdd_slope_kwh_per_degree_day": num(hdd_slope),
        "cdd_balance_point_f": num(cdd_bp),
        "cdd_slope_kwh_per_degree_day": num(cdd_slope),
        "smoothed": key.endswith("_smooth"),
    }
    doc["temperature_constraints_f"] = {k: num(v) for k, v in tc.items()}
    doc["f_unc_kwh_per_day"] = num(sub.f_unc)
    return doc


def ols_at_balance_points(df: pd.DataFrame, reporting_df: pd.DataFrame, hdd_bp, cdd_bp) -> dict:
    """Computed by this script, not by OpenDSM: OLS of daily usage on HDD/CDD at fixed balance points."""

    def design(T):
        cols = [np.ones_like(T)]
        if hdd_bp is not None:
            cols.append(np.maximum(0.0, hdd_bp - T))
        if cdd_bp is not None:
            cols.append(np.maximum(0.0, T - cdd_bp))
        return np.column_stack(cols)

    names = ["intercept"] + (["hdd"] if hdd_bp is not None else []) + (["cdd"] if cdd_bp is not None else [])
    T = df["temperature"].to_numpy(float)
    y = df["observed"].to_numpy(float)
    X = design(T)
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    n, p = X.shape
    sse = float(resid @ resid)
    sigma2 = sse / (n - p)
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(X.T @ X)))
    t = beta / se
    pvalues = 2 * stats.t.sf(np.abs(t), n - p)
    sst = float(((y - y.mean()) ** 2).sum())
    r2 = 1 - sse / sst
    rep = reporting_df.dropna(subset=["observed", "temperature"])
    rep_pred = design(rep["temperature"].to_numpy(float)) @ beta
    rep_obs = float(rep["observed"].sum())
    return {
        "computed_by": "this script (numpy OLS), not OpenDSM",
        "reporting_predicted_total_kwh": num(rep_pred.sum()),
        "reporting_observed_total_kwh": num(rep_obs),
        "reporting_avoided_energy_kwh": num(rep_pred.sum() - rep_obs),
        "hdd_balance_point_f": num(hdd_bp),
        "cdd_balance_point_f": num(cdd_bp),
        "coefficients": {name: {"value": num(b), "std_error": num(s), "p_value": num(pv)} for name, b, s, pv in zip(names, beta, se, pvalues)},
        "n": n,
        "sse": num(sse),
        "r_squared": num(r2),
        "r_squared_adj": num(1 - (1 - r2) * (n - 1) / (n - p)),
        "cvrmse_adj": num(math.sqrt(sse / (n - p)) / y.mean()),
        "definitions": "r_squared = 1 - SSE/SST; r_squared_adj = 1 - (1 - r2)(n - 1)/(n - p); cvrmse_adj = sqrt(SSE/(n - p))/mean(y); p = regressors incl. intercept (balance points not counted)",
    }


def fit_one(kind: str, baseline: eemeter.DailyBaselineData, reporting: eemeter.DailyReportingData) -> dict:
    model = eemeter.DailyModel(model=kind).fit(baseline, ignore_disqualification=True)
    submodels = {k: submodel_doc(s) for k, s in model.params.submodels.items()}
    base_pred = model.predict(baseline, ignore_disqualification=True)
    rep_pred = model.predict(reporting, ignore_disqualification=True)
    n_params = sum(len(model.model[k].x) for k in model.model)
    final_metrics = BaselineMetrics(df=base_pred[["observed", "predicted"]].dropna().astype(float), num_model_params=n_params)
    rep = ReportingMetrics(
        baseline_metrics=model.baseline_metrics,
        reporting_df=rep_pred[["observed", "predicted"]].astype(float),
        data_frequency="daily",
    )
    predicted_all = float(rep_pred["predicted"].sum())
    doc = {
        "settings": kind,
        "combination": model.best_combination,
        "submodels": submodels,
        "fit_statistics_as_reported": metrics_doc(model.baseline_metrics),
        "fit_statistics_of_final_predictions": metrics_doc(final_metrics),
        "disqualification": warning_names(model.disqualification),
        "reporting": {
            "days_with_observed_and_predicted": int(rep.n),
            "predicted_total_kwh": num(rep.predicted_sum),
            "observed_total_kwh": num(rep.observed_sum),
            "avoided_energy_kwh": num(rep.savings),
            "savings_uncertainty_kwh": num(rep.total_savings_uncertainty),
            "fractional_savings_uncertainty": num(rep.fsu),
            "confidence_level": rep.confidence_level,
            "t_stat": num(rep.t_stat),
            "predicted_total_all_days_kwh": predicted_all,
        },
        "predicted_by_day": {day(ts): num(v) for ts, v in rep_pred["predicted"].items()},
        "baseline_predicted_by_day": {day(ts): num(v) for ts, v in base_pred["predicted"].items()},
    }
    if kind == "legacy" and len(submodels) == 1:
        dd = next(iter(submodels.values()))["degree_day_form"]
        used = baseline.df.dropna(subset=["observed", "temperature"])
        doc["ols_at_opendsm_balance_points"] = ols_at_balance_points(used, reporting.df, dd["hdd_balance_point_f"], dd["cdd_balance_point_f"])
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", default=DEFAULT_SAMPLE)
    parser.add_argument("--models", default="legacy,current", help="comma-separated DailyModel settings: legacy, current")
    args = parser.parse_args()

    meter, temperature, meta = eemeter.load_sample(args.sample)
    meter_series = meter["value"]
    # The sample's own periods: the baseline is the 365 days before its blackout, the reporting
    # period the 365 days from the blackout's end (the layout of OpenEEmeter's own tutorial).
    baseline_end = pd.Timestamp(meta["blackout_start_date"])
    baseline_start = baseline_end - pd.Timedelta(days=BASELINE_DAYS)
    reporting_start = pd.Timestamp(meta["blackout_end_date"])
    reporting_end = reporting_start + pd.Timedelta(days=REPORTING_DAYS)

    def window(series, start, end):
        return series[(series.index >= start) & (series.index < end)]

    is_electricity = meta["interpretation"] == "electricity"
    baseline = eemeter.DailyBaselineData.from_series(window(meter_series, baseline_start, baseline_end), window(temperature, baseline_start, baseline_end), is_electricity_data=is_electricity)
    reporting = eemeter.DailyReportingData.from_series(window(meter_series, reporting_start, reporting_end), window(temperature, reporting_start, reporting_end), is_electricity_data=is_electricity)

    models = {kind: fit_one(kind, baseline, reporting) for kind in args.models.split(",")}
    rep_df = reporting.df
    rep_pred_primary = models[next(iter(models))]["predicted_by_day"]

    doc = {
        "schema": "meterline.reference.opendsm-daily/1",
        "reference": {
            "package": "opendsm",
            "version": version("opendsm"),
            "python": platform.python_version(),
            "numpy": version("numpy"),
            "pandas": version("pandas"),
            "scipy": version("scipy"),
            "nlopt": version("nlopt"),
        },
        "units": {"usage": "kWh per day (the sample's unit)", "temperature": "degF, daily mean of hourly readings", "dates": "UTC calendar days, YYYY-MM-DD; period ends are exclusive"},
        "sample": {
            "id": args.sample,
            "interpretation": meta["interpretation"],
            "unit": meta["unit"],
            "blackout_start": day(meta["blackout_start_date"]),
            "blackout_end": day(meta["blackout_end_date"]),
            "simulated_truth": {k: meta[k] for k in meta if k.startswith(("annual_", "baseline_", "reporting_"))},
        },
        "baseline": {
            "start": day(baseline_start),
            "end": day(baseline_end),
            "days": daily_rows(baseline.df),
            "disqualification": warning_names(baseline.disqualification),
            "warnings": warning_names(baseline.warnings),
        },
        "reporting": {
            "start": day(reporting_start),
            "end": day(reporting_end),
            "days": daily_rows(rep_df, pd.Series({pd.Timestamp(d, tz="UTC"): v for d, v in rep_pred_primary.items()})),
            "disqualification": warning_names(reporting.disqualification),
            "warnings": warning_names(reporting.warnings),
        },
        "models": models,
    }
    json.dump(doc, sys.stdout, indent=1, allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

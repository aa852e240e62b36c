"""Synthetic registers with real GB 11643 check digits and planted errors (for tests and benchmarks)."""
from __future__ import annotations

import numpy as np
import pandas as pd

W = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK = "10X98765432"


def make_id(region: str, birth: str, seq: int, male: bool) -> str:
    """A valid 18-character ID: region (6), birth YYYYMMDD (8), sequence (3, odd for men), check."""
    s3 = seq % 500 * 2 + (1 if male else 0)
    body = f"{region}{birth}{s3:03d}"
    return body + CHECK[int(np.dot([int(c) for c in body], W)) % 11]


def make_register(n: int, seed: int = 0) -> pd.DataFrame:
    """A clean register of ``n`` members (Qiannan tiers, enrolled 2012-2020), Chinese headers."""
    rng = np.random.default_rng(seed)
    years = rng.integers(1950, 1991, n)
    months = rng.integers(1, 13, n)
    days = rng.integers(1, 29, n)
    male = rng.random(n) < 0.5
    births = [f"{y}{m:02d}{d:02d}" for y, m, d in zip(years, months, days)]
    regions = ["522701", "522702", "522722"]
    ids = [make_id(regions[i % 3], b, i // 3 % 1000 + 1000 * (i // 3000), m) for i, (b, m) in enumerate(zip(births, male))]
    # make sequences unique across the whole frame: vary the region's last digits
    ids = [make_id(f"52{(i // 500) % 10000:04d}", b, i % 500, m) for i, (b, m) in enumerate(zip(births, male))]
    tiers = rng.choice([100, 200, 300, 500], n, p=[0.7, 0.15, 0.1, 0.05])
    return pd.DataFrame({
        "姓名": [f"居民{i}" for i in range(n)], "身份证号": ids,
        "性别": np.where(male, "男", "女"),
        "出生日期": [f"{b[:4]}-{b[4:6]}-{b[6:]}" for b in births],
        "户籍类型": rng.choice(["农村", "城镇"], n, p=[0.8, 0.2]),
        "乡镇": "都匀镇", "村": "一村", "参保日期": [f"{y}-03-01" for y in rng.integers(2012, 2021, n)],
        "2024年缴费档次": tiers.astype(str), "2025年缴费档次": tiers.astype(str),
        "残疾等级": rng.choice(["", "", "", "1", "3"], n), "低保": rng.choice(["否", "是"], n, p=[0.9, 0.1]),
        "在校学生": "否", "状态": "缴费"})

"""The names the catalog and training profiles use for equipment and muscles.

Plain data at the bottom of the package: the catalog, profiles and plans import these, and
GET /v1/equipment and GET /v1/muscles serve them. A write naming anything else is a 422.
"""

EQUIPMENT: tuple[str, ...] = (
    "barbell",
    "cable-machine",
    "dip-bars",
    "dumbbells",
    "mat",
    "pull-up-bar",
    "stepper",
    "suspension-trainer",
)

MUSCLES: tuple[str, ...] = (
    "abs",
    "biceps",
    "calves",
    "chest",
    "forearms",
    "glutes",
    "hamstrings",
    "hip-flexors",
    "lats",
    "lower-back",
    "neck",
    "obliques",
    "quadriceps",
    "rear-delts",
    "rhomboids",
    "shoulders",
    "spine",
    "traps",
    "triceps",
    "upper-back",
)

# What a new account starts with: a mat is all the article's easiest class needs, so the
# default profile gets a plan at once.
STARTER_EQUIPMENT: tuple[str, ...] = ("mat",)

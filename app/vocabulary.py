"""The catalog's fixed vocabularies: equipment people own and the muscles exercises work.

A bottom-layer module (it imports nothing from the app) so seed loading, the catalog
endpoints and the plan engine all read the same names.
"""

# What a person may have to train with; class and exercise equipment use only these names.
EQUIPMENT: tuple[str, ...] = (
    "barbell",
    "bench",
    "cable-machine",
    "dip-bars",
    "dumbbells",
    "mat",
    "pull-up-bar",
    "stepper",
    "suspension-trainer",
)

# Muscles and muscle groups (body parts such as the spine or the neck are not muscles).
MUSCLES: tuple[str, ...] = (
    "abs",
    "biceps",
    "calves",
    "chest",
    "erector-spinae",
    "forearms",
    "glutes",
    "hamstrings",
    "hip-flexors",
    "lats",
    "lower-back",
    "neck-flexors",
    "obliques",
    "quadriceps",
    "rear-delts",
    "rhomboids",
    "shoulders",
    "traps",
    "triceps",
    "upper-back",
)


# What a new account starts with: a mat is all the article's easiest class needs, so the
# default profile gets a plan at once.
STARTER_EQUIPMENT: tuple[str, ...] = ("mat",)

"""Exercise queries and writes."""

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog.service import bump_catalog_version
from app.classes.models import ClassBlock, ClassStep, WorkoutClass
from app.errors import Conflict, NotFound
from app.exercises.models import (
    Category,
    Exercise,
    ExerciseCreate,
    ExerciseDetail,
    ExercisePublic,
    ExerciseUpdate,
)
from app.json_arrays import json_array_contains, json_array_matches, like_pattern
from app.pagination import Page, decode_cursor, encode_cursor


async def list_exercises(
    session: AsyncSession,
    *,
    limit: int,
    cursor: str | None = None,
    q: str | None = None,
    category: Category | None = None,
    muscle: str | None = None,
    equipment: str | None = None,
    featured: bool | None = None,
) -> Page[ExercisePublic]:
    """Exercises ordered by slug, filtered, one keyset page at a time."""
    query = select(Exercise).order_by(col(Exercise.slug)).limit(limit + 1)
    if cursor is not None:
        (after_slug,) = decode_cursor(cursor, shape=(str,))
        query = query.where(col(Exercise.slug) > after_slug)
    if q:
        pattern = like_pattern(q)
        query = query.where(
            or_(
                col(Exercise.name).ilike(pattern, escape="\\"),
                json_array_matches(col(Exercise.aliases), pattern),
            )
        )
    if category is not None:
        query = query.where(col(Exercise.category) == category)
    if muscle is not None:
        query = query.where(json_array_contains(col(Exercise.muscles), muscle))
    if equipment is not None:
        query = query.where(json_array_contains(col(Exercise.equipment), equipment))
    if featured is not None:
        query = query.where(col(Exercise.featured) == featured)
    rows = list(await session.exec(query))
    next_cursor = encode_cursor([rows[limit - 1].slug]) if len(rows) > limit else None
    return Page(
        items=[ExercisePublic.model_validate(row) for row in rows[:limit]],
        next_cursor=next_cursor,
    )


async def find_exercise(session: AsyncSession, *, slug: str) -> Exercise:
    """The exercise with ``slug``, or NotFound."""
    exercise = (await session.exec(select(Exercise).where(Exercise.slug == slug))).first()
    if exercise is None:
        raise NotFound("exercise", slug, key_name="slug")
    return exercise


async def classes_using(session: AsyncSession, *, exercise_id: int) -> list[str]:
    """Slugs of the classes with a step that uses the exercise."""
    query = (
        select(WorkoutClass.slug)
        .join(ClassBlock, col(ClassBlock.class_id) == WorkoutClass.id)
        .join(ClassStep, col(ClassStep.block_id) == ClassBlock.id)
        .where(ClassStep.exercise_id == exercise_id)
        .distinct()
        .order_by(col(WorkoutClass.slug))
    )
    return list(await session.exec(query))


async def get_exercise(session: AsyncSession, *, slug: str) -> ExerciseDetail:
    """One exercise with the classes that use it."""
    exercise = await find_exercise(session, slug=slug)
    assert exercise.id is not None
    used_in = await classes_using(session, exercise_id=exercise.id)
    return ExerciseDetail.model_validate(exercise, update={"used_in": used_in})


async def upsert_exercise(session: AsyncSession, *, draft: ExerciseCreate) -> bool:
    """Create or update the exercise ``draft.slug``; True when anything changed."""
    existing = (await session.exec(select(Exercise).where(Exercise.slug == draft.slug))).first()
    if existing is None:
        session.add(Exercise.model_validate(draft))
        await session.flush()
        await bump_catalog_version(session)
        return True
    changes = {
        field: value
        for field, value in draft.model_dump().items()
        if getattr(existing, field) != value
    }
    if changes:
        existing.sqlmodel_update(changes)
        await session.flush()
        await bump_catalog_version(session)
    return bool(changes)


async def create_exercise(session: AsyncSession, *, draft: ExerciseCreate) -> ExerciseDetail:
    """A new exercise; a taken slug is a Conflict."""
    taken = (await session.exec(select(Exercise.id).where(Exercise.slug == draft.slug))).first()
    if taken is not None:
        raise Conflict(f"An exercise with slug '{draft.slug}' already exists.")
    await upsert_exercise(session, draft=draft)
    return await get_exercise(session, slug=draft.slug)


async def update_exercise(
    session: AsyncSession, *, slug: str, changes: ExerciseUpdate
) -> ExerciseDetail:
    """Apply the fields the client sent to the exercise ``slug``."""
    exercise = await find_exercise(session, slug=slug)
    exercise.sqlmodel_update(changes.model_dump(exclude_unset=True))
    await session.flush()
    await bump_catalog_version(session)
    return await get_exercise(session, slug=slug)


async def delete_exercise(session: AsyncSession, *, slug: str) -> None:
    """Delete an exercise that no class uses; one in use is a Conflict."""
    exercise = await find_exercise(session, slug=slug)
    assert exercise.id is not None
    used_in = await classes_using(session, exercise_id=exercise.id)
    if used_in:
        raise Conflict(
            f"Exercise '{slug}' is used by {', '.join(used_in)}; remove it from those first."
        )
    await session.delete(exercise)
    await session.flush()
    await bump_catalog_version(session)

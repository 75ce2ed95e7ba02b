"""Class queries and writes: a class is read and written whole, blocks and steps included."""

from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import col, delete, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog.service import bump_catalog_version
from app.classes.models import (
    BlockPublic,
    ClassBlock,
    ClassStep,
    Difficulty,
    StepPublic,
    WorkoutClass,
    WorkoutClassPublic,
    WorkoutClassWrite,
)
from app.errors import Conflict, NotFound, Unprocessable
from app.exercises.models import Exercise, ExerciseRef
from app.json_arrays import json_array_contains, json_array_within, like_pattern
from app.pagination import Page, decode_cursor, encode_cursor
from app.plans.models import PlannedSession


async def blocks_by_class(
    session: AsyncSession, class_ids: Sequence[int]
) -> dict[int, list[BlockPublic]]:
    """Every block and step of the given classes in one query, in their order."""
    query = (
        select(ClassBlock, ClassStep, Exercise.slug, Exercise.name)
        .join(ClassStep, col(ClassStep.block_id) == ClassBlock.id)
        .join(Exercise, col(Exercise.id) == ClassStep.exercise_id)
        .where(col(ClassBlock.class_id).in_(class_ids))
        .order_by(col(ClassBlock.class_id), col(ClassBlock.position), col(ClassStep.position))
    )
    blocks: dict[int, list[BlockPublic]] = defaultdict(list)
    current: dict[int, BlockPublic] = {}
    for block, step, exercise_slug, exercise_name in await session.exec(query):
        assert block.id is not None
        if block.id not in current:
            current[block.id] = BlockPublic(
                name=block.name, kind=block.kind, position=block.position, steps=[]
            )
            blocks[block.class_id].append(current[block.id])
        current[block.id].steps.append(
            StepPublic(
                position=step.position,
                exercise=ExerciseRef(slug=exercise_slug, name=exercise_name),
                reps=step.reps,
                sets=step.sets,
                rest_seconds=step.rest_seconds,
                duration_seconds=step.duration_seconds,
                equipment=step.equipment,
            )
        )
    return blocks


def _public(workout_class: WorkoutClass, blocks: list[BlockPublic]) -> WorkoutClassPublic:
    return WorkoutClassPublic.model_validate(workout_class, update={"blocks": blocks})


async def list_classes(
    session: AsyncSession,
    *,
    limit: int,
    cursor: str | None = None,
    difficulty: Difficulty | None = None,
    max_minutes: int | None = None,
    equipment: list[str] | None = None,
    focus: str | None = None,
    q: str | None = None,
) -> Page[WorkoutClassPublic]:
    """Classes ordered by slug, filtered, one keyset page at a time."""
    query = select(WorkoutClass).order_by(col(WorkoutClass.slug)).limit(limit + 1)
    if cursor is not None:
        (after_slug,) = decode_cursor(cursor, shape=(str,))
        query = query.where(col(WorkoutClass.slug) > after_slug)
    if difficulty is not None:
        query = query.where(WorkoutClass.difficulty == difficulty)
    if max_minutes is not None:
        query = query.where(WorkoutClass.duration_minutes <= max_minutes)
    if equipment is not None:
        query = query.where(json_array_within(col(WorkoutClass.equipment), equipment))
    if focus is not None:
        query = query.where(json_array_contains(col(WorkoutClass.focus), focus))
    if q:
        pattern = like_pattern(q)
        query = query.where(
            or_(
                col(WorkoutClass.title).ilike(pattern, escape="\\"),
                col(WorkoutClass.summary).ilike(pattern, escape="\\"),
            )
        )
    rows = list(await session.exec(query))
    page = rows[:limit]
    blocks = await blocks_by_class(session, [row.id for row in page if row.id is not None])
    return Page(
        items=[_public(row, blocks[row.id]) for row in page if row.id is not None],
        next_cursor=encode_cursor([page[-1].slug]) if len(rows) > limit else None,
    )


async def _find_class(session: AsyncSession, slug: str) -> WorkoutClass:
    workout_class = (
        await session.exec(select(WorkoutClass).where(WorkoutClass.slug == slug))
    ).first()
    if workout_class is None:
        raise NotFound("class", slug, key_name="slug")
    return workout_class


async def get_class(session: AsyncSession, *, slug: str) -> WorkoutClassPublic:
    """One class with every block and step."""
    workout_class = await _find_class(session, slug)
    assert workout_class.id is not None
    blocks = await blocks_by_class(session, [workout_class.id])
    return _public(workout_class, blocks[workout_class.id])


async def _exercise_ids(session: AsyncSession, draft: WorkoutClassWrite) -> dict[str, int]:
    """Ids of the draft's exercises; every one must exist and every step's kit be the class's."""
    slugs = {step.exercise for block in draft.blocks for step in block.steps}
    rows = list(
        await session.exec(
            select(Exercise.slug, Exercise.id, Exercise.equipment).where(
                col(Exercise.slug).in_(slugs)
            )
        )
    )
    ids = {slug: exercise_id for slug, exercise_id, _ in rows if exercise_id is not None}
    unknown = sorted(slugs - ids.keys())
    if unknown:
        first: list[str | int] = next(
            ["blocks", block_at, "steps", step_at, "exercise"]
            for block_at, block in enumerate(draft.blocks)
            for step_at, step in enumerate(block.steps)
            if step.exercise in unknown
        )
        raise Unprocessable(
            f"Unknown exercise(s): {', '.join(unknown)}. Create them first.",
            field=first,
            code="unknown_exercise",
        )
    kit = {slug: equipment for slug, _, equipment in rows}
    for block_at, block in enumerate(draft.blocks):
        for step_at, step in enumerate(block.steps):
            uses = step.equipment if step.equipment is not None else kit[step.exercise]
            if missing := sorted(set(uses) - set(draft.equipment)):
                raise Unprocessable(
                    f"Step '{step.exercise}' in block '{block.name}' uses {', '.join(missing)}, "
                    "which the class's equipment does not list; add it to the class's "
                    "equipment or give the step the equipment it is done with here.",
                    field=["blocks", block_at, "steps", step_at, "equipment"],
                    code="step_equipment",
                )
    return ids


def _same_content(current: WorkoutClassPublic, draft: WorkoutClassWrite) -> bool:
    """True when storing ``draft`` would change nothing."""
    as_written = WorkoutClassWrite.model_validate(
        {
            **current.model_dump(exclude={"blocks"}),
            "blocks": [
                {
                    "name": block.name,
                    "kind": block.kind,
                    "steps": [
                        {
                            **step.model_dump(exclude={"position", "exercise"}),
                            "exercise": step.exercise.slug,
                        }
                        for step in block.steps
                    ],
                }
                for block in current.blocks
            ],
        }
    )
    return as_written == draft


async def save_class(session: AsyncSession, *, draft: WorkoutClassWrite) -> bool:
    """Create the class ``draft.slug`` or replace it whole; True when anything changed."""
    exercise_ids = await _exercise_ids(session, draft)
    workout_class = (
        await session.exec(select(WorkoutClass).where(WorkoutClass.slug == draft.slug))
    ).first()
    if workout_class is None:
        workout_class = WorkoutClass.model_validate(draft.model_dump(exclude={"blocks"}))
        session.add(workout_class)
        await session.flush()
    else:
        if _same_content(await get_class(session, slug=draft.slug), draft):
            return False
        workout_class.sqlmodel_update(draft.model_dump(exclude={"blocks", "slug"}))
        await session.exec(delete(ClassBlock).where(col(ClassBlock.class_id) == workout_class.id))
    assert workout_class.id is not None
    for block_position, block_draft in enumerate(draft.blocks, start=1):
        block = ClassBlock(
            class_id=workout_class.id,
            position=block_position,
            name=block_draft.name,
            kind=block_draft.kind,
        )
        session.add(block)
        await session.flush()
        assert block.id is not None
        session.add_all(
            ClassStep(
                block_id=block.id,
                position=step_position,
                exercise_id=exercise_ids[step.exercise],
                **step.model_dump(exclude={"exercise"}),
            )
            for step_position, step in enumerate(block_draft.steps, start=1)
        )
    await session.flush()
    await bump_catalog_version(session)
    return True


async def create_class(session: AsyncSession, *, draft: WorkoutClassWrite) -> WorkoutClassPublic:
    """A new class; a taken slug is a Conflict."""
    taken = (
        await session.exec(select(WorkoutClass.id).where(WorkoutClass.slug == draft.slug))
    ).first()
    if taken is not None:
        raise Conflict(f"A class with slug '{draft.slug}' already exists.")
    await save_class(session, draft=draft)
    return await get_class(session, slug=draft.slug)


async def replace_class(
    session: AsyncSession, *, slug: str, draft: WorkoutClassWrite
) -> WorkoutClassPublic:
    """Replace the class ``slug`` whole; the body's slug must match the path."""
    if draft.slug != slug:
        raise Unprocessable(
            f"The body's slug '{draft.slug}' differs from the path's '{slug}'.",
            field="slug",
            code="slug_mismatch",
        )
    await _find_class(session, slug)
    await save_class(session, draft=draft)
    return await get_class(session, slug=slug)


async def delete_class(session: AsyncSession, *, slug: str) -> None:
    """Delete a class with its blocks and steps; one that people have planned is a Conflict."""
    workout_class = await _find_class(session, slug)
    planned = (
        await session.exec(
            select(PlannedSession.id).where(PlannedSession.class_id == workout_class.id).limit(1)
        )
    ).first()
    if planned is not None:
        raise Conflict(f"Class '{slug}' is in people's plans; replace it instead of deleting it.")
    await session.delete(workout_class)
    await session.flush()
    await bump_catalog_version(session)

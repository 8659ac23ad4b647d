"""Technique inventories: the 14 SemEval-2020 Task 11 techniques unspin predicts, what each
means (in our own words), and how other inventories map onto them.

Label strings are the SemEval-2020 names verbatim (``"Name_Calling,Labeling"``,
``"Exaggeration,Minimisation"``, ``"Bandwagon,Reductio_ad_hitlerum"`` ...), so prediction
files are directly scorable by the official tools.

>>> TECHNIQUES["Loaded_Language"].display
'Loaded language'
>>> map_label("Straw_Men", "nlp4if2019")
'Whataboutism,Straw_Men,Red_Herring'
"""

from __future__ import annotations

from dataclasses import dataclass

from unspin.errors import LabelError


@dataclass(frozen=True)
class Technique:
    name: str  # SemEval-2020 label, verbatim
    display: str  # short human name
    definition: str  # a few sentences, our own words
    example: str  # a short made-up example
    color: str  # a colour-blind-safe hue (Okabe-Ito / Tol based), used by the UI and report
    pattern: str  # a second, non-colour cue for the UI: underline style
    symbol: str  # a one-character mark for terminals and legends


_T = [
    Technique(
        "Appeal_to_Authority",
        "Appeal to authority",
        "Presents a claim as true because an expert, official, institution or celebrity says "
        "so, rather than because of evidence. Quoting a source is not the technique in itself; it "
        "becomes one when the authority stands in for an argument, is out of its field, or is "
        'invoked vaguely ("experts agree").',
        '"Leading scientists have confirmed that the policy is a disaster."',
        "#0072B2",
        "double",
        "A",
    ),
    Technique(
        "Appeal_to_fear-prejudice",
        "Appeal to fear or prejudice",
        "Builds support for an idea by making the reader afraid of an alternative, or by playing "
        "on existing prejudice against a group. The threat is usually exaggerated, vague or "
        "unconnected to the decision being argued for.",
        '"If we let them in, our towns will never be safe again."',
        "#D55E00",
        "wavy",
        "F",
    ),
    Technique(
        "Bandwagon,Reductio_ad_hitlerum",
        "Bandwagon / Reductio ad Hitlerum",
        'Bandwagon urges the reader to accept a view because "everyone" already does. Reductio '
        "ad Hitlerum rejects a view because a hated group or person holds it. Both replace "
        "reasons with who is (or is not) on a side.",
        '"Millions have already joined the movement. Only extremists still oppose it."',
        "#56B4E9",
        "dotted",
        "B",
    ),
    Technique(
        "Black-and-White_Fallacy",
        "Black-and-white fallacy",
        "Presents two options as the only possible ones when more exist, often so that one of "
        "them looks inevitable. Includes dictatorship: telling the audience exactly what to do "
        "and that there is no alternative.",
        '"Either you support the new law or you want criminals to win. There is no other way."',
        "#000000",
        "solid",
        "W",
    ),
    Technique(
        "Causal_Oversimplification",
        "Causal oversimplification",
        "Blames a complex outcome on a single cause, or credits it to one, when many factors are "
        "involved. A typical form pins riots, crises or economic trouble on one group or enemy.",
        '"The riots happened because foreign agents paid the protesters."',
        "#E69F00",
        "dashed",
        "C",
    ),
    Technique(
        "Doubt",
        "Doubt",
        "Questions the credibility of a person, group or institution without giving grounds, so "
        "that the reader distrusts them. Rhetorical questions and insinuation are common vehicles.",
        '"Can we really trust a minister who has changed his mind so often?"',
        "#009E73",
        "dotted",
        "D",
    ),
    Technique(
        "Exaggeration,Minimisation",
        "Exaggeration or minimisation",
        "Makes something look much bigger, better or worse than it is, or plays down something "
        "that matters, so that the reader's judgement is shifted.",
        '"The greatest betrayal in the history of the nation."',
        "#CC79A7",
        "double",
        "E",
    ),
    Technique(
        "Flag-Waving",
        "Flag-waving",
        "Appeals to patriotism or group identity (nation, religion, race, party) to justify or "
        "promote an action or idea, as if belonging to the group settles the question.",
        '"Every true patriot will stand with our soldiers on this."',
        "#882255",
        "solid",
        "P",
    ),
    Technique(
        "Loaded_Language",
        "Loaded language",
        "Uses words and phrases with strong emotional connotations, positive or negative, to "
        "influence the reader instead of describing neutrally. It is the most frequent technique "
        "in news propaganda.",
        '"a brutal, shameless regime"',
        "#44AA99",
        "wavy",
        "L",
    ),
    Technique(
        "Name_Calling,Labeling",
        "Name calling / labeling",
        "Attaches a label to a person, group or idea that the audience fears, hates or, "
        "conversely, admires, so that it is judged by the label rather than by what it does.",
        "\"the so-called 'activists' of subversive NGOs\"",
        "#AA4499",
        "dashed",
        "N",
    ),
    Technique(
        "Repetition",
        "Repetition",
        "Repeats the same message, phrase or idea again and again so that the audience comes to "
        "accept it. It can only be seen across a text: one occurrence alone is not repetition.",
        '"They lied about the war. They lied about the money. They lied to you."',
        "#117733",
        "double",
        "R",
    ),
    Technique(
        "Slogans",
        "Slogans",
        "A brief, striking phrase, often a call to action or a label for a cause, that sticks "
        "because of its form rather than its content.",
        '"Take back control!"',
        "#DDCC77",
        "solid",
        "S",
    ),
    Technique(
        "Thought-terminating_Cliches",
        "Thought-terminating cliché",
        "A short, generic phrase that discourages thinking or discussion by making a question "
        'look settled ("it is what it is", "that\'s just how things are").',
        '"At the end of the day, rules are rules."',
        "#332288",
        "dotted",
        "T",
    ),
    Technique(
        "Whataboutism,Straw_Men,Red_Herring",
        "Whataboutism / straw man / red herring",
        "Deflects criticism or an argument instead of answering it: by pointing at the critic's "
        "own faults (whataboutism), by attacking a distorted version of the opposing view (straw "
        "man), or by changing the subject to something irrelevant (red herring).",
        '"Why do they lecture us about rights when their own police beat protesters?"',
        "#999933",
        "wavy",
        "H",
    ),
]

TECHNIQUES: dict[str, Technique] = {t.name: t for t in _T}
LABELS: tuple[str, ...] = tuple(sorted(TECHNIQUES))  # the 14 names, in the official file's order

# --- mappings from other inventories onto the 14 -------------------------------------------
# ``None`` means: no counterpart among the 14; the label is dropped when mapping (documented in
# docs/labels.md). Keys are the exact strings used in each dataset's files.

NLP4IF2019: dict[str, str | None] = {
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Appeal_to_fear-prejudice": "Appeal_to_fear-prejudice",
    "Bandwagon": "Bandwagon,Reductio_ad_hitlerum",
    "Reductio_ad_hitlerum": "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy": "Black-and-White_Fallacy",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "Doubt": "Doubt",
    "Exaggeration,Minimisation": "Exaggeration,Minimisation",
    "Flag-Waving": "Flag-Waving",
    "Loaded_Language": "Loaded_Language",
    "Name_Calling,Labeling": "Name_Calling,Labeling",
    "Repetition": "Repetition",
    "Slogans": "Slogans",
    "Thought-terminating_Cliches": "Thought-terminating_Cliches",
    "Whataboutism": "Whataboutism,Straw_Men,Red_Herring",
    "Straw_Men": "Whataboutism,Straw_Men,Red_Herring",
    "Red_Herring": "Whataboutism,Straw_Men,Red_Herring",
    "Obfuscation,Intentional_Vagueness,Confusion": None,
}

SEMEVAL2021: dict[str, str | None] = {
    "Appeal to authority": "Appeal_to_Authority",
    "Appeal to fear/prejudice": "Appeal_to_fear-prejudice",
    "Black-and-white Fallacy/Dictatorship": "Black-and-White_Fallacy",
    "Causal Oversimplification": "Causal_Oversimplification",
    "Doubt": "Doubt",
    "Exaggeration/Minimisation": "Exaggeration,Minimisation",
    "Flag-waving": "Flag-Waving",
    "Glittering generalities (Virtue)": None,
    "Loaded Language": "Loaded_Language",
    "Misrepresentation of Someone's Position (Straw Man)": "Whataboutism,Straw_Men,Red_Herring",
    "Name calling/Labeling": "Name_Calling,Labeling",
    "Obfuscation, Intentional vagueness, Confusion": None,
    "Presenting Irrelevant Data (Red Herring)": "Whataboutism,Straw_Men,Red_Herring",
    "Reductio ad hitlerum": "Bandwagon,Reductio_ad_hitlerum",
    "Repetition": "Repetition",
    "Slogans": "Slogans",
    "Smears": None,  # closest is Name_Calling, but smears attack reputation by other means
    "Thought-terminating cliché": "Thought-terminating_Cliches",
    "Whataboutism": "Whataboutism,Straw_Men,Red_Herring",
    "Bandwagon": "Bandwagon,Reductio_ad_hitlerum",
}

SEMEVAL2023: dict[str, str | None] = {
    "Loaded_Language": "Loaded_Language",
    "Name_Calling-Labeling": "Name_Calling,Labeling",
    "Doubt": "Doubt",
    "Questioning_the_Reputation": None,
    "Exaggeration-Minimisation": "Exaggeration,Minimisation",
    "Appeal_to_Fear-Prejudice": "Appeal_to_fear-prejudice",
    "Conversation_Killer": "Thought-terminating_Cliches",
    "Repetition": "Repetition",
    "Appeal_to_Hypocrisy": "Whataboutism,Straw_Men,Red_Herring",
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Slogans": "Slogans",
    "Guilt_by_Association": "Bandwagon,Reductio_ad_hitlerum",
    "Flag_Waving": "Flag-Waving",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "Appeal_to_Values": None,
    "False_Dilemma-No_Choice": "Black-and-White_Fallacy",
    "Consequential_Oversimplification": None,
    "Obfuscation-Vagueness-Confusion": None,
    "Straw_Man": "Whataboutism,Straw_Men,Red_Herring",
    "Appeal_to_Popularity": "Bandwagon,Reductio_ad_hitlerum",
    "Red_Herring": "Whataboutism,Straw_Men,Red_Herring",
    "Appeal_to_Time": None,
    "Whataboutism": "Whataboutism,Straw_Men,Red_Herring",
}

INVENTORIES: dict[str, dict[str, str | None]] = {
    "semeval2020": {name: name for name in LABELS},
    "nlp4if2019": NLP4IF2019,
    "semeval2021": SEMEVAL2021,
    "semeval2023": SEMEVAL2023,
}


def _suggest(name: str, options: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else "see `unspin techniques` for the list"


def check_label(name: str, inventory: str = "semeval2020", *, location: str | None = None) -> str:
    """Return ``name`` if it is a label of ``inventory``, else raise :class:`LabelError`."""
    options = INVENTORIES[inventory]
    if name not in options:
        raise LabelError(
            f"unknown technique {name!r}",
            location=location,
            expected=f"one of the {len(options)} {inventory} technique names",
            found=repr(name),
            hint=_suggest(name, list(options)),
        )
    return name


def map_label(name: str, inventory: str) -> str | None:
    """Map a label of ``inventory`` onto the 14 SemEval-2020 names (``None``: no counterpart)."""
    if inventory not in INVENTORIES:
        raise LabelError(
            "unknown inventory", expected=f"one of {sorted(INVENTORIES)}", found=repr(inventory)
        )
    check_label(name, inventory)
    return INVENTORIES[inventory][name]


def technique(name: str) -> Technique:
    """The :class:`Technique` record of a SemEval-2020 label."""
    return TECHNIQUES[check_label(name)]

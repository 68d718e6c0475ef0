"""First names, titles and nouns that mark a person's gender, for "he"/"she" agreement."""

from __future__ import annotations

# Common unambiguous English first names (world knowledge), for "he"/"she" agreement.
MALE_NAMES = frozenset(
    "aaron adam alan albert alex alexander andrew anthony arthur barack ben benjamin bernie bill "  # noqa: SIM905
    "bob bobby brad brian bruce bryan carl carlos charles charlie chris christopher chuck colin "
    "craig dan daniel darren dave david dennis dick don donald doug douglas duncan ed eddie "
    "edward elijah eric eugene frank fred gary george gerald glenn gordon greg gregory harold "
    "harry henry howard ian jack jacob jake james jason jeb jeff jeffrey jeremy jerry jim jimmy "
    "joe joel john johnny jon jonathan jose joseph josh joshua juan justin keith ken kenneth "
    "kevin kurt larry lawrence lee lindsey louis luis marco marcus mark martin matt matthew "
    "max michael mike mitch mitt nathan neil newt nicholas nick paul pete peter phil philip "
    "ralph randy ray raymond reince richard rick rob robert roger ron ronald roy rudy rudolph "
    "russell ryan sam samuel scott sean stephen steve steven ted terry thomas tim timothy tom "
    "tony travis trey vladimir walter wayne william willie".split()
)
FEMALE_NAMES = frozenset(
    "abigail alice alicia allison amanda amy andrea angela ann anna anne barbara betty "  # noqa: SIM905
    "betsy beverly brenda carly carol caroline catherine cheryl christina christine claire "
    "cynthia deborah debbie debra denise diana diane donna dorothy elizabeth ellen emily emma "
    "gennifer gloria hannah heather heidi helen hillary huma irene jane janet janice jennifer "
    "jessica jill joan joanna joyce judith judy julia julie karen katherine kathleen kathy "
    "katie kayleigh kellyanne laura lauren linda lisa liz lois loretta lori margaret maria "
    "marie marilyn martha mary megyn melania melanie melissa michelle monica nancy natalie "
    "nicole nikki pamela patricia paula rachel rebecca rosa rose ruth samantha sandra sarah "
    "sharon shirley stephanie susan teresa theresa tina virginia wendy".split()
)

MALE_TITLES = frozenset({"mr", "mr."})
MALE_NOUNS = frozenset(
    "brother congressman father husband king son spokesman widower".split()  # noqa: SIM905
)
FEMALE_NOUNS = frozenset(
    "chairwoman congresswoman daughter mother queen sister spokeswoman widow wife".split()  # noqa: SIM905
)
FEMALE_TITLES = frozenset({"mrs", "mrs.", "ms", "ms."})

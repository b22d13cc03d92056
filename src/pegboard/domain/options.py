"""Options of a build-to-order item and the configurations order lines choose from them.

Each option (COLOUR) has values (green); a value's rows change the item's BOM: a row with a
`component_sku` adds it (or, with `replaces_sku`, puts it in the replaced component's place),
a row with only `replaces_sku` removes that component. A value with no change at all is its
option's **default** (it describes the plain item); an option with no default is **required**.
A line whose choices are all defaults is a plain line; any other choice makes it configured.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pegboard.domain.errors import InvalidValue
from pegboard.domain.items import BomLine
from pegboard.domain.quantities import Quantity

#: Between choices and between an option and its value in `COLOUR=green;HILT=engraved`.
CHOICE_SEPARATOR = ";"
VALUE_SEPARATOR = "="
#: The longest configuration text a line or an MO keeps (`order_lines.options`).
MAX_CONFIGURATION = 500


@dataclass(frozen=True)
class OptionRow:
    """One BOM change of one value of an option of a parent item."""

    option: str
    value: str
    component_sku: str | None = None
    quantity: Quantity | None = None
    replaces_sku: str | None = None

    @property
    def changes_nothing(self) -> bool:
        """The row neither adds nor replaces nor removes: it marks its value as the default."""
        return self.component_sku is None and self.replaces_sku is None


def parse_choices(text: str, *, field: str = "options") -> dict[str, str]:
    """`COLOUR=green;HILT=engraved` as {option: value}; an empty text is no choice at all."""
    choices: dict[str, str] = {}
    for part in text.split(CHOICE_SEPARATOR):
        if not part.strip():
            continue
        option, equals, value = part.partition(VALUE_SEPARATOR)
        option, value = option.strip(), value.strip()
        if not equals or not option or not value:
            raise InvalidValue(field, text, f"write each choice as OPTION=value, not {part.strip()!r}")
        if option in choices:
            raise InvalidValue(field, text, f"option {option!r} is chosen twice")
        choices[option] = value
    return choices


def choices_text(choices: Mapping[str, str]) -> str:
    """The canonical text of a configuration: choices sorted by option name, `A=x;B=y`."""
    return CHOICE_SEPARATOR.join(f"{option}{VALUE_SEPARATOR}{choices[option]}" for option in sorted(choices))


@dataclass(frozen=True)
class ItemOptions:
    """The options of one item, with their values' BOM changes (rows in file order)."""

    sku: str
    rows: tuple[OptionRow, ...]

    def values(self) -> dict[str, dict[str, list[OptionRow]]]:
        """{option: {value: its rows}} in the order they were given."""
        found: dict[str, dict[str, list[OptionRow]]] = {}
        for row in self.rows:
            found.setdefault(row.option, {}).setdefault(row.value, []).append(row)
        return found

    def default(self, option: str) -> str | None:
        """The value of the option that changes nothing, or None: the option is required."""
        for value, rows in self.values().get(option, {}).items():
            if all(row.changes_nothing for row in rows):
                return value
        return None

    def configuration(self, choices: Mapping[str, str], *, field: str = "options") -> str:
        """The canonical configuration the choices make (defaults left out; "" = the plain item).

        An unknown option or value, or a required option not chosen, is refused and named.
        """
        values = self.values()
        for option, value in choices.items():
            if option not in values:
                known = ", ".join(values) or "none"
                raise InvalidValue(field, option, f"{self.sku} has no option {option!r} (options: {known})")
            if value not in values[option]:
                known = ", ".join(values[option])
                raise InvalidValue(
                    field,
                    f"{option}={value}",
                    f"{self.sku} option {option!r} has no value {value!r} ({known})",
                )
        missing = [o for o in values if o not in choices and self.default(o) is None]
        if missing:
            raise InvalidValue(field, missing[0], f"{self.sku} needs a choice of option {missing[0]!r}")
        configuration = choices_text({o: v for o, v in choices.items() if v != self.default(o)})
        if len(configuration) > MAX_CONFIGURATION:
            raise InvalidValue(
                field, configuration[:80], f"the choices are longer than {MAX_CONFIGURATION} characters"
            )
        return configuration

    def bom(self, base: Sequence[BomLine], configuration: str) -> list[BomLine]:
        """The BOM of one unit of this configuration: the base BOM changed by each chosen value."""
        quantities: dict[str, Decimal] = {}
        for line in base:
            quantities[line.component_sku] = (
                quantities.get(line.component_sku, Decimal(0)) + line.quantity_per
            )
        values = self.values()
        for option, value in parse_choices(configuration).items():
            for row in values.get(option, {}).get(value, []):
                replaced = quantities.pop(row.replaces_sku, None) if row.replaces_sku else None
                if row.component_sku is not None:
                    amount = row.quantity if row.quantity is not None else replaced
                    quantities[row.component_sku] = quantities.get(row.component_sku, Decimal(0)) + (
                        amount if amount is not None else Decimal(1)
                    )
        return [BomLine(sku, Quantity(q)) for sku, q in quantities.items() if q > 0]


def check_rows(sku: str, rows: Sequence[OptionRow]) -> None:
    """An option has at most one default value; a removing row needs no quantity."""
    options = ItemOptions(sku, tuple(rows))
    for option, values in options.values().items():
        defaults = [v for v, vr in values.items() if all(r.changes_nothing for r in vr)]
        if len(defaults) > 1:
            raise InvalidValue(
                "value",
                defaults[1],
                f"{sku} option {option!r} has two values that change nothing ({defaults[0]})",
            )

"""The cost of a GraphQL document, measured before it runs.

Two numbers, both computed in one walk that is linear in the size of the document (each
fragment is measured once and its result reused wherever it is spread):

- **nodes**, GitHub's node-count formula: every list field contributes its page size times
  the page sizes of the lists it is nested in, and the total is the sum. A connection's page
  size is its `first` (or `last`) argument, `default_page_size` when absent; a plain list with
  a `first` argument defaults to `max_page_size` (what it returns without one); a list without
  a page argument holds at most `default_page_size` items by construction (score components,
  activity kinds, questions) and counts as that; the introspection lists count as the largest
  such list in the schema (all types, the most fields of any type, ...). A connection's
  `edges`/`nodes` are the connection's own nodes and do not count again.
  See https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api
- **fields**: the number of field selections with every fragment spread expanded. It bounds
  the work of the validation rules (Strawberry's depth and alias limiters walk every spread,
  so a few fragments that spread each other twice would make them exponential) and of
  execution for fields that are not lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

PAGE_ARGUMENTS = ("first", "last")


@dataclass(frozen=True, slots=True)
class Cost:
    nodes: int
    fields: int


@dataclass(frozen=True, slots=True)
class PageSizes:
    default_page_size: int
    max_page_size: int


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    pages: PageSizes,
) -> Cost:
    """The cost of the operation that would run (all operations' fields count: validation
    walks them all; nodes are those of the chosen operation, or the largest)."""
    walker = _Walker(schema, document, pages)
    fields = 0
    nodes: dict[str | None, int] = {}
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        root = schema.get_root_type(definition.operation)
        if root is None:
            continue
        walker.variables = _variables(definition, variables or {})
        walker.done = {}  # a fragment's page sizes may come from this operation's variables
        cost = walker.selection_set(definition.selection_set, root)
        fields += cost.fields
        nodes[definition.name.value if definition.name else None] = cost.nodes
    chosen = (
        nodes.get(operation_name) if operation_name in nodes else max(nodes.values(), default=0)
    )
    return Cost(nodes=chosen or 0, fields=fields)


def _variables(operation: OperationDefinitionNode, given: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name in given:
            values[name] = given[name]
        elif isinstance(definition.default_value, IntValueNode):
            values[name] = int(definition.default_value.value)
    return values


@dataclass
class _Walker:
    schema: GraphQLSchema
    document: DocumentNode
    pages: PageSizes
    variables: dict[str, Any] = field(default_factory=dict)
    # Fragments measured so far (at a multiplier of 1: nodes scale linearly with it).
    done: dict[str, Cost] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.fragments = {
            d.name.value: d
            for d in self.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }

    def selection_set(self, node: SelectionSetNode, parent: GraphQLNamedType) -> Cost:
        nodes = fields = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                cost = self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                cost = self.selection_set(selection.selection_set, target or parent)
            elif isinstance(selection, FragmentSpreadNode):
                cost = self.fragment(selection.name.value)
            nodes += cost.nodes
            fields += cost.fields
        return Cost(nodes, fields)

    def fragment(self, name: str) -> Cost:
        if name in self.done:
            return self.done[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.active:  # unknown or a cycle: validation says so
            return Cost(0, 0)
        target = self.schema.get_type(definition.type_condition.name.value)
        if target is None:
            return Cost(0, 0)
        self.active.add(name)
        cost = self.selection_set(definition.selection_set, target)
        self.active.discard(name)
        self.done[name] = cost
        return cost

    def field(self, node: FieldNode, parent: GraphQLNamedType) -> Cost:
        definition = _field_definition(self.schema, parent, node.name.value)
        if definition is None or node.selection_set is None:
            return Cost(0, 1)
        named, is_list = _unwrap(definition.type)
        inner = self.selection_set(node.selection_set, named)
        size = self.list_size(node, definition, parent, named, is_list)
        if size is None:
            return Cost(inner.nodes, inner.fields + 1)
        return Cost(size + size * inner.nodes, inner.fields + 1)

    def list_size(
        self,
        node: FieldNode,
        definition: GraphQLField,
        parent: GraphQLNamedType,
        named: GraphQLNamedType,
        is_list: bool,
    ) -> int | None:
        """How many items the field can return; None for one object (or a connection's
        edges and nodes, counted at the connection)."""
        if named.name.endswith("Connection"):
            return self.page_argument(node, definition, self.pages.default_page_size)
        if not is_list or parent.name.endswith("Connection"):
            return None
        if parent.name.startswith("__"):
            return _introspection_sizes(self.schema).get(node.name.value, 1)
        if any(name in definition.args for name in PAGE_ARGUMENTS):
            return self.page_argument(node, definition, self.pages.max_page_size)
        return self.pages.default_page_size

    def page_argument(self, node: FieldNode, definition: GraphQLField, absent: int) -> int:
        """The page size the field is asked for (`first` or `last`, as written or as its
        variable holds), else its argument's default, else `absent`."""
        for argument in node.arguments or ():
            if argument.name.value in PAGE_ARGUMENTS:
                given = self.given_size(argument.value)
                if given is not None:
                    return given
        default = _default_page_size(definition)
        return absent if default is None else default

    def given_size(self, value: ValueNode) -> int | None:
        if isinstance(value, IntValueNode):
            return max(0, int(value.value))
        if isinstance(value, VariableNode):
            return _size(self.variables.get(value.name.value))
        return None


def _size(value: object) -> int | None:
    """An integer page size (a negative one counts as 0); None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return max(0, value)
    return None


def _default_page_size(definition: GraphQLField) -> int | None:
    for name in PAGE_ARGUMENTS:
        if name in definition.args:
            size = _size(definition.args[name].default_value)
            if size is not None:
                return size
    return None


def _field_definition(
    schema: GraphQLSchema, parent: GraphQLNamedType, name: str
) -> GraphQLField | None:
    if name == "__schema" and parent is schema.query_type:
        return SchemaMetaFieldDef
    if name == "__type" and parent is schema.query_type:
        return TypeMetaFieldDef
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None  # unions, scalars, unknown types: only __typename (a leaf)


def _unwrap(type_: Any) -> tuple[GraphQLNamedType, bool]:
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return type_, is_list


@cache
def _introspection_sizes(schema: GraphQLSchema) -> dict[str, int]:
    """The longest list each introspection field can return in this schema."""
    types = list(schema.type_map.values())
    with_fields = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
    lengths = {
        **_field_lists(schema, with_fields),
        "inputFields": [len(t.fields) for t in types if isinstance(t, GraphQLInputObjectType)],
        "possibleTypes": [
            len(schema.get_possible_types(t))
            for t in types
            if isinstance(t, GraphQLInterfaceType | GraphQLUnionType)
        ],
        "enumValues": [len(getattr(t, "values", {})) for t in types],
    }
    return {
        "types": len(types),
        "directives": len(schema.directives),
        **{name: max(found, default=0) for name, found in lengths.items()},
    }


def _field_lists(
    schema: GraphQLSchema, with_fields: list[GraphQLObjectType | GraphQLInterfaceType]
) -> dict[str, list[int]]:
    """The lengths of the lists of the types that have fields: their fields, the fields' and
    the directives' arguments, the interfaces they implement."""
    all_fields = [f for t in with_fields for f in t.fields.values()]
    return {
        "fields": [len(t.fields) for t in with_fields],
        "args": [len(f.args) for f in all_fields] + [len(d.args) for d in schema.directives],
        "interfaces": [len(t.interfaces) for t in with_fields],
    }

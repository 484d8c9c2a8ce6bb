"""Every ingest error code is also a GraphQL userError code: an upload refused inside a
mutation reaches the client under the name the HTTP routes use, never as INTERNAL."""

from graphql_api.ingest.errors import IngestErrorCode
from graphql_api.schema.enums import UserErrorCode


def test_every_ingest_code_is_a_user_error_code_of_the_same_name() -> None:
    missing = [code.name for code in IngestErrorCode if code.name not in UserErrorCode.__members__]
    assert missing == []
    assert all(UserErrorCode[code.name] == code.value for code in IngestErrorCode)

"""The official ALTO 4.2 and PAGE XML 2019-07-15 schemas (tests/support/schemas, see its README), loaded offline."""

from functools import cache

from lxml import etree

from tests.conftest import SUPPORT

SCHEMAS = SUPPORT / "schemas"
FILES = {"alto": "alto-4-2.xsd", "page": "pagecontent-2019-07-15.xsd"}
XLINK = "http://www.loc.gov/standards/xlink/xlink.xsd"  # what ALTO imports; the same file is kept here


class LocalSchemas(etree.Resolver):
    """Resolves the schemas' imports to the files kept here; nothing is fetched."""

    def resolve(self, url, public_id, context):
        if url == XLINK or url.endswith("/xlink.xsd") or url == "xlink.xsd":
            return self.resolve_filename(str(SCHEMAS / "xlink.xsd"), context)
        if url.startswith(("http://", "https://", "ftp://")):
            raise AssertionError(f"the schema imports {url}, which is not kept in {SCHEMAS}")
        return None  # a local file: read as usual


@cache
def schema(name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / FILES[name]), parser))


def assert_valid(name: str, document: bytes) -> etree._Element:
    """The parsed document, after checking it against the official schema (the first error in the message)."""
    root = etree.fromstring(document)
    checker = schema(name)
    assert checker.validate(root), f"not valid {name}: {checker.error_log.last_error}"
    return root

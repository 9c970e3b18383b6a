from nexus.graphql.contract import SDL_PATH, graphql_sdl


def test_committed_sdl_matches_the_schema() -> None:
    assert SDL_PATH.read_text() == graphql_sdl(), "GraphQL SDL drifted from the code: run `make schema`."

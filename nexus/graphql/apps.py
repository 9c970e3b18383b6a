from django.apps import AppConfig


class GraphqlConfig(AppConfig):
    name = "nexus.graphql"
    label = "nexus_graphql"
    verbose_name = "GraphQL plumbing"

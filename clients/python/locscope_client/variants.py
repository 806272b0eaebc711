"""Builders for the interventions a Score/Generate variant applies (see proto/locscope/v1/inference.proto)."""
from typing import Iterable, Optional, Sequence, Tuple

from locscope.v1 import inference_pb2

from .tensors import from_numpy

TextSpan = inference_pb2.TextSpan


def variant(name: str, *interventions: inference_pb2.Intervention) -> inference_pb2.Variant:
    """One batch element; no interventions is the clean run."""
    return inference_pb2.Variant(name=name, interventions=list(interventions))


def ablate_visual_tokens(tokens: Iterable[int], mean_embedding: Optional[str] = None) -> inference_pb2.Intervention:
    """Replace these flat visual-token indices with zeros, or with a stored mean embedding."""
    positions = inference_pb2.VisualPositions(flat=list(tokens))
    if mean_embedding is None:
        replace = inference_pb2.ReplaceVisualTokens(positions=positions, zero=True)
    else:
        replace = inference_pb2.ReplaceVisualTokens(positions=positions, mean_embedding=mean_embedding)
    return inference_pb2.Intervention(replace=replace)


def knock_out_layers(
    layers: Iterable[int],
    keys: Iterable[int],
    queries: int = TextSpan.TEXT_SPAN_AFTER_IMAGE,
) -> inference_pb2.Intervention:
    """In these layers, positions of the ``queries`` span cannot attend to these visual tokens."""
    return inference_pb2.Intervention(
        knockout=inference_pb2.AttentionKnockout(
            layers=list(layers),
            queries=inference_pb2.Positions(span=queries),
            keys=inference_pb2.Positions(visual=inference_pb2.VisualPositions(flat=list(keys))),
        )
    )


def _heads(heads: Iterable[Tuple[int, int]]):
    return [inference_pb2.LayerHead(layer=layer, head=head) for layer, head in heads]


def ablate_heads(heads: Iterable[Tuple[int, int]], span: int = TextSpan.TEXT_SPAN_UNSPECIFIED) -> inference_pb2.Intervention:
    """Zero these (layer, head) outputs, at every position unless a span is given."""
    positions = inference_pb2.Positions(span=span) if span else None
    return inference_pb2.Intervention(ablate=inference_pb2.HeadAblation(heads=_heads(heads), positions=positions))


def patch_heads(
    heads: Sequence[Tuple[int, int]],
    *,
    source_image: Optional[bytes] = None,
    source_run: Optional[str] = None,
    values=None,
    span: int = TextSpan.TEXT_SPAN_UNSPECIFIED,
) -> inference_pb2.Intervention:
    """Replace these heads' outputs with a source's: the same prompt on ``source_image`` (encoded
    bytes), a stored run, or inline ``values`` [len(heads), T, head_dim]. Exactly one source."""
    given = [s is not None for s in (source_image, source_run, values)]
    if sum(given) != 1:
        raise ValueError("patch_heads needs exactly one of source_image, source_run, values")
    patch = inference_pb2.HeadPatch(heads=_heads(heads), positions=inference_pb2.Positions(span=span) if span else None)
    if source_image is not None:
        patch.source_image.CopyFrom(inference_pb2.ImageInput(encoded=source_image))
    elif source_run is not None:
        patch.source_run = source_run
    else:
        patch.values.CopyFrom(from_numpy(values))
    return inference_pb2.Intervention(patch=patch)

"""The Open Inference Protocol v2 (``inference.GRPCInferenceService``) of a locscope inference server,
as numpy: ``infer`` builds a ModelInfer request with raw contents (README "Open Inference Protocol"
lists every input, parameter and output) and returns the outputs as arrays. Any other OIP client
(tritonclient, KServe's) sends the same request; this one only saves writing the encoding."""
import json
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import numpy as np
from google.protobuf import json_format

from inference import grpc_predict_v2_pb2 as oip, grpc_predict_v2_pb2_grpc as oip_grpc
from locscope.v1 import inference_pb2

from .client import channel

#: OIP datatypes of the numeric outputs (raw contents are little-endian).
_NUMPY = {"FP32": np.dtype("<f4"), "FP64": np.dtype("<f8"), "INT32": np.dtype("<i4"), "INT64": np.dtype("<i8")}


@dataclass
class InferResult:
    """ModelInfer's outputs by name (numpy arrays; BYTES outputs as lists of str) and the variant names
    of their first dimension."""

    variants: List[str]
    outputs: Dict[str, object]


def _bytes_element(value: bytes) -> bytes:
    return len(value).to_bytes(4, "little") + value


def _bytes_elements(raw: bytes) -> List[str]:
    elements, at = [], 0
    while at < len(raw):
        length = int.from_bytes(raw[at : at + 4], "little")
        elements.append(raw[at + 4 : at + 4 + length].decode("utf-8"))
        at += 4 + length
    return elements


class OpenInference:
    """``address`` is the inference service's ``host:port`` (the OIP shares its port)."""

    def __init__(self, address: str):
        self._channel = channel(address)
        self.stub = oip_grpc.GRPCInferenceServiceStub(self._channel)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def metadata(self, model: str) -> oip.ModelMetadataResponse:
        return self.stub.ModelMetadata(oip.ModelMetadataRequest(name=model))

    def infer(
        self,
        model: str,
        image: bytes,
        prompt: str,
        target: Optional[str] = None,
        *,
        token_mask=None,
        knockout_layers=None,
        knockout_tokens=None,
        head_mask=None,
        variants: Optional[Sequence[inference_pb2.Variant]] = None,
        mean_embedding: Optional[str] = None,
        max_tokens: Optional[int] = None,
        outputs: Sequence[str] = (),
    ) -> InferResult:
        """One ModelInfer. The masks are boolean arrays whose first dimension is the variant
        (``token_mask`` [variants, visual tokens], ``knockout_layers`` [variants, layers] with
        ``knockout_tokens`` [variants, visual tokens], ``head_mask`` [variants, layers, heads]);
        ``variants`` rides as the JSON parameter. Asking for ``text``/``token_ids``/``finish_reason``
        makes it a generation; without ``outputs`` a forward returns ``logits`` (or, with a target,
        Score's outputs)."""
        request = oip.ModelInferRequest(model_name=model)
        texts = [("image", image), ("prompt", prompt.encode("utf-8"))]
        if target is not None:
            texts.append(("target", target.encode("utf-8")))
        for name, value in texts:
            request.inputs.add(name=name, datatype="BYTES", shape=[1])
            request.raw_input_contents.append(_bytes_element(value))
        masks = {"token_mask": token_mask, "knockout_layers": knockout_layers, "knockout_tokens": knockout_tokens, "head_mask": head_mask}
        for name, mask in masks.items():
            if mask is None:
                continue
            flags = np.asarray(mask, dtype=np.bool_)
            request.inputs.add(name=name, datatype="BOOL", shape=list(flags.shape))
            request.raw_input_contents.append(np.ascontiguousarray(flags).tobytes())
        if variants is not None:
            request.parameters["variants"].string_param = json.dumps([json_format.MessageToDict(v) for v in variants])
        if mean_embedding is not None:
            request.parameters["mean_embedding"].string_param = mean_embedding
        if max_tokens is not None:
            request.parameters["max_tokens"].int64_param = max_tokens
        for name in outputs:
            request.outputs.add(name=name)
        response = self.stub.ModelInfer(request)
        decoded: Dict[str, object] = {}
        for tensor, raw in zip(response.outputs, response.raw_output_contents):
            if tensor.datatype == "BYTES":
                decoded[tensor.name] = _bytes_elements(raw)
            else:
                decoded[tensor.name] = np.frombuffer(raw, dtype=_NUMPY[tensor.datatype]).reshape(tuple(tensor.shape)).copy()
        return InferResult(json.loads(response.parameters["variants"].string_param), decoded)

"""locscope.v1.Tensor <-> numpy: raw little-endian bytes, a shape and a dtype."""
import numpy as np

from locscope.v1 import tensor_pb2

_NUMPY = {
    tensor_pb2.D_TYPE_FLOAT32: np.dtype("<f4"),
    tensor_pb2.D_TYPE_FLOAT16: np.dtype("<f2"),
    tensor_pb2.D_TYPE_INT64: np.dtype("<i8"),
    tensor_pb2.D_TYPE_INT32: np.dtype("<i4"),
    tensor_pb2.D_TYPE_UINT8: np.dtype("u1"),
    tensor_pb2.D_TYPE_BOOL: np.dtype("?"),
}
_PROTO = {dtype: code for code, dtype in _NUMPY.items()}


def to_numpy(tensor: tensor_pb2.Tensor) -> np.ndarray:
    """The tensor as an array of its shape; bfloat16 (which numpy lacks) widens to float32 exactly."""
    shape = tuple(tensor.shape)
    if tensor.dtype == tensor_pb2.D_TYPE_BFLOAT16:
        # bfloat16 is the top half of a float32: shift the 16 bits into place.
        halves = np.frombuffer(tensor.data, dtype="<u2").astype(np.uint32) << 16
        return halves.view(np.float32).reshape(shape)
    if tensor.dtype not in _NUMPY:
        raise ValueError(f"tensor dtype {tensor_pb2.DType.Name(tensor.dtype)} has no numpy equivalent")
    return np.frombuffer(tensor.data, dtype=_NUMPY[tensor.dtype]).reshape(shape).copy()


def from_numpy(array) -> tensor_pb2.Tensor:
    """A Tensor holding ``array`` (float64 is narrowed to float32, the API's float type)."""
    array = np.asarray(array)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    key = array.dtype.newbyteorder("<")  # single-byte dtypes ignore the byte order
    if key not in _PROTO:
        raise ValueError(f"numpy dtype {array.dtype} has no locscope.v1.DType")
    return tensor_pb2.Tensor(dtype=_PROTO[key], shape=list(array.shape), data=np.ascontiguousarray(array, dtype=key).tobytes())

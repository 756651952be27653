"""The production cache shares one Redis client per connection pool (Django builds one per
call, and redis-py's constructor costs as much as a round trip): no network needed."""

from core.redis_cache import RedisCache


def test_every_call_gets_the_same_client_for_one_server():
    cache = RedisCache("redis://127.0.0.1:6379/5", {})
    client = cache._cache.get_client("key")

    assert cache._cache.get_client("other") is client
    assert cache._cache.get_client("key", write=True) is client
    assert client.connection_pool is cache._cache._get_connection_pool(write=True)


def test_reads_and_writes_keep_a_client_per_server():
    cache = RedisCache("redis://primary:6379/5;redis://replica:6379/5", {})
    write = cache._cache.get_client(write=True)
    read = cache._cache.get_client()

    assert read is not write
    assert cache._cache.get_client() is read and cache._cache.get_client(write=True) is write
    assert write.connection_pool.connection_kwargs["host"] == "primary"
    assert read.connection_pool.connection_kwargs["host"] == "replica"

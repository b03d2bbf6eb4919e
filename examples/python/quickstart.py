"""puppies quick start: a small network, a few posts, a home feed.

Build the module, then run from the repository root:

    cmake -S . -B build -DPython_EXECUTABLE=/usr/bin/python3
    cmake --build build -j2 --target _puppies
    PYTHONPATH=build/python /usr/bin/python3 examples/python/quickstart.py

The database lives in a temporary directory that is removed at the end.
"""

import datetime
import tempfile

import puppies


def when(created_at_us: int) -> str:
    """Formats a puppies timestamp (microseconds since the Unix epoch)."""
    t = datetime.datetime.fromtimestamp(created_at_us / 1e6, tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%d %H:%M:%S")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="puppies-quickstart-") as path:
        # Keyword-only options mirror the C++ Options struct. synchronous_fanout makes each
        # post reach followers' feeds before post() returns (handy for demos and tests).
        with puppies.open(path, synchronous_fanout=True) as db:
            alice = db.create_user("alice", display_name="Alice", bio="Dog person")
            bob = db.create_user("bob", display_name="Bob")
            carol = db.create_user("carol", display_name="Carol")
            dave = db.create_user("dave")

            db.follow(alice, bob)
            db.follow(alice, carol)
            db.follow(bob, alice)
            db.import_follows([(dave, alice), (dave, bob), (carol, alice)])  # bulk path

            db.post(bob, "Took the puppies to the park today")
            first = db.post(
                carol,
                "New leash, who dis",
                media=[{"url": "https://example.com/leash.jpg", "mime_type": "image/jpeg",
                        "width": 800, "height": 600, "alt_text": "A red leash"}],
            )
            db.post(alice, "Good morning!")
            db.post(bob, "Nice one", reply_to=first)
            db.like(alice, first)
            db.like(bob, first)
            db.mute(alice, bob)  # alice stops seeing bob's posts in her home feed
            db.unmute(alice, bob)

            try:
                db.create_user("Alice")  # usernames are unique ignoring case
            except puppies.AlreadyExistsError as e:
                print(f"expected error: {e.code}: {e}")

            me = db.get_user(alice)
            print(f"@{me.username} ({me.display_name}): {me.follower_count} followers, "
                  f"following {me.following_count}")

            print("\nHome feed of alice, newest first:")
            for post in db.iter_home_feed(alice, page_size=2):  # follows cursors for us
                author = db.get_user(post.author)
                extra = f" [{len(post.media)} media]" if post.media else ""
                reply = f" (reply to {post.reply_to})" if post.reply_to else ""
                print(f"  {when(post.created_at)}  @{author.username}: {post.text}{extra}{reply}"
                      f"  ♥ {post.like_count}")

            page = db.followers(alice, limit=2)
            print(f"\nFirst page of alice's followers: {page.items}, more: {page.has_more}")
            if page.next_cursor is not None:
                rest = db.followers(alice, limit=2, cursor=page.next_cursor)
                print(f"Next page: {rest.items}")

            problems = db.check()
            print(f"\nconsistency check: {'ok' if not problems else problems}")
        print(f"engine closed: {db.closed}")


if __name__ == "__main__":
    main()

"""The machine's ceiling: a bare Flask app, served by the same gunicorn as Rabta in each run."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    return "hello"

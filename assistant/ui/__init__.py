"""The review screen: a thin Streamlit face on the review desk (`assistant.app.review`).

Every rule (roles, transitions, versions, consent) is the desk's; the screen only shows what
the desk answers and passes on what a person typed.
"""
